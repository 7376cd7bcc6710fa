"""KPI feature: indicators, measurements, imports."""
