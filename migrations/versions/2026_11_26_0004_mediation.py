"""mediation: complaints and their timeline

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 15:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mediation_conflict_of_interest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('declared_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('declared_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['declared_by_id'], ['members_user.id'], name=op.f('fk_mediation_conflict_of_interest_declared_by_id_members_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['members_member.id'], name=op.f('fk_mediation_conflict_of_interest_member_id_members_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['members_user.id'], name=op.f('fk_mediation_conflict_of_interest_user_id_members_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediation_conflict_of_interest')),
    sa.UniqueConstraint('user_id', 'member_id', name=op.f('uq_mediation_conflict_of_interest_user_id_member_id'))
    )
    with op.batch_alter_table('mediation_conflict_of_interest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediation_conflict_of_interest_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mediation_conflict_of_interest_user_id'), ['user_id'], unique=False)

    op.create_table('mediation_complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=True),
    sa.Column('complainant_name', sa.String(length=200), nullable=False),
    sa.Column('complainant_company', sa.String(length=200), nullable=False),
    sa.Column('complainant_email', sa.String(length=320), nullable=False),
    sa.Column('complainant_locale', sa.String(length=5), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('project_label', sa.String(length=300), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('expectations', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'inadmissible', 'awaiting_member', 'in_mediation', 'resolved', 'at_commission', 'decided', 'withdrawn', name='complaint_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('decision', sa.Enum('none', 'warning', 'suspension', 'exclusion', name='complaint_decision', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('suspension_until', sa.Date(), nullable=True),
    sa.Column('suspension_ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=True),
    sa.Column('member_reply_due_on', sa.Date(), nullable=True),
    sa.Column('verification_token_hash', sa.String(length=64), nullable=True),
    sa.Column('verification_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('access_token_hash', sa.String(length=64), nullable=True),
    sa.Column('admitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('referred_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(decision IS NULL) OR (status = 'decided')", name=op.f('ck_mediation_complaint_decision_when_decided')),
    sa.CheckConstraint("(suspension_until IS NULL) OR (decision = 'suspension')", name=op.f('ck_mediation_complaint_until_only_for_suspension')),
    sa.ForeignKeyConstraint(['member_id'], ['members_member.id'], name=op.f('fk_mediation_complaint_member_id_members_member'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['project_id'], ['members_project.id'], name=op.f('fk_mediation_complaint_project_id_members_project'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediation_complaint')),
    sa.UniqueConstraint('access_token_hash', name=op.f('uq_mediation_complaint_access_token_hash')),
    sa.UniqueConstraint('reference', name=op.f('uq_mediation_complaint_reference')),
    sa.UniqueConstraint('verification_token_hash', name=op.f('uq_mediation_complaint_verification_token_hash'))
    )
    with op.batch_alter_table('mediation_complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediation_complaint_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_mediation_complaint_member_status', ['member_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_mediation_complaint_verified_at'), ['verified_at'], unique=False)

    op.create_table('mediation_commission_seat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('seated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['mediation_complaint.id'], name=op.f('fk_mediation_commission_seat_complaint_id_mediation_complaint'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seated_by_id'], ['members_user.id'], name=op.f('fk_mediation_commission_seat_seated_by_id_members_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['members_user.id'], name=op.f('fk_mediation_commission_seat_user_id_members_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediation_commission_seat')),
    sa.UniqueConstraint('complaint_id', 'user_id', name=op.f('uq_mediation_commission_seat_complaint_id_user_id'))
    )
    with op.batch_alter_table('mediation_commission_seat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediation_commission_seat_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mediation_commission_seat_user_id'), ['user_id'], unique=False)

    op.create_table('mediation_complaint_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_label', sa.String(length=320), nullable=False),
    sa.Column('author_role', sa.Enum('secretariat', 'board', 'member', 'complainant', name='complaint_actor_role', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('kind', sa.Enum('filed', 'admissible', 'inadmissible', 'arguments', 'mediation_opened', 'message', 'note', 'meeting', 'proposal', 'agreement', 'referred', 'seated', 'recused', 'hearing', 'decision', 'withdrawn', 'reminder', 'late', 'suspension_ended', name='complaint_event', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('visibility', sa.Enum('parties', 'internal', name='event_visibility', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['members_user.id'], name=op.f('fk_mediation_complaint_event_author_id_members_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['complaint_id'], ['mediation_complaint.id'], name=op.f('fk_mediation_complaint_event_complaint_id_mediation_complaint'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediation_complaint_event'))
    )
    with op.batch_alter_table('mediation_complaint_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediation_complaint_event_complaint_id'), ['complaint_id'], unique=False)

    op.create_table('mediation_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['mediation_complaint.id'], name=op.f('fk_mediation_reminder_complaint_id_mediation_complaint'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediation_reminder')),
    sa.UniqueConstraint('key', name=op.f('uq_mediation_reminder_key'))
    )
    with op.batch_alter_table('mediation_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediation_reminder_complaint_id'), ['complaint_id'], unique=False)

    op.create_table('mediation_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('storage_name', sa.String(length=36), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size > 0', name=op.f('ck_mediation_attachment_size_positive')),
    sa.ForeignKeyConstraint(['complaint_id'], ['mediation_complaint.id'], name=op.f('fk_mediation_attachment_complaint_id_mediation_complaint'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['mediation_complaint_event.id'], name=op.f('fk_mediation_attachment_event_id_mediation_complaint_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediation_attachment')),
    sa.UniqueConstraint('storage_name', name=op.f('uq_mediation_attachment_storage_name'))
    )
    with op.batch_alter_table('mediation_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediation_attachment_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mediation_attachment_event_id'), ['event_id'], unique=False)



def downgrade():
    with op.batch_alter_table('mediation_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediation_attachment_event_id'))
        batch_op.drop_index(batch_op.f('ix_mediation_attachment_complaint_id'))

    op.drop_table('mediation_attachment')
    with op.batch_alter_table('mediation_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediation_reminder_complaint_id'))

    op.drop_table('mediation_reminder')
    with op.batch_alter_table('mediation_complaint_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediation_complaint_event_complaint_id'))

    op.drop_table('mediation_complaint_event')
    with op.batch_alter_table('mediation_commission_seat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediation_commission_seat_user_id'))
        batch_op.drop_index(batch_op.f('ix_mediation_commission_seat_complaint_id'))

    op.drop_table('mediation_commission_seat')
    with op.batch_alter_table('mediation_complaint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediation_complaint_verified_at'))
        batch_op.drop_index('ix_mediation_complaint_member_status')
        batch_op.drop_index(batch_op.f('ix_mediation_complaint_member_id'))

    op.drop_table('mediation_complaint')
    with op.batch_alter_table('mediation_conflict_of_interest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediation_conflict_of_interest_user_id'))
        batch_op.drop_index(batch_op.f('ix_mediation_conflict_of_interest_member_id'))

    op.drop_table('mediation_conflict_of_interest')
