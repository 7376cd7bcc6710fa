"""satisfaction: questionnaires, campaigns, invitations, responses

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 15:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('satisfaction_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fatigue_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('fatigue_days >= 0 AND fatigue_days <= 365', name=op.f('ck_satisfaction_settings_fatigue_days_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_settings'))
    )

    op.create_table('satisfaction_questionnaire',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('slug', sa.String(length=40), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members_member.id'], name=op.f('fk_satisfaction_questionnaire_member_id_members_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_questionnaire')),
    sa.UniqueConstraint('slug', name=op.f('uq_satisfaction_questionnaire_slug'))
    )

    with op.batch_alter_table('satisfaction_questionnaire', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_satisfaction_questionnaire_member_id'), ['member_id'], unique=False)

    op.create_table('satisfaction_questionnaire_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('uid', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['satisfaction_questionnaire.id'], name=op.f('fk_satisfaction_questionnaire_version_questionnaire_id_satisfaction_questionnaire'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_questionnaire_version')),
    sa.UniqueConstraint('questionnaire_id', 'number', name=op.f('uq_satisfaction_questionnaire_version_questionnaire_id_number'))
    )

    with op.batch_alter_table('satisfaction_questionnaire_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_satisfaction_questionnaire_version_questionnaire_id'), ['questionnaire_id'], unique=False)

    op.create_table('satisfaction_campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('recurrence', sa.JSON(), nullable=False),
    sa.Column('next_run_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cycles_run', sa.Integer(), nullable=False),
    sa.Column('reminder_days', sa.JSON(), nullable=False),
    sa.Column('max_reminders', sa.Integer(), nullable=False),
    sa.Column('link_valid_days', sa.Integer(), nullable=False),
    sa.Column('is_paused', sa.Boolean(), nullable=False),
    sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_run_summary', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('link_valid_days >= 1 AND link_valid_days <= 365', name=op.f('ck_satisfaction_campaign_link_valid_days_range')),
    sa.CheckConstraint('max_reminders >= 0 AND max_reminders <= 5', name=op.f('ck_satisfaction_campaign_max_reminders_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['members_user.id'], name=op.f('fk_satisfaction_campaign_created_by_id_members_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['members_member.id'], name=op.f('fk_satisfaction_campaign_member_id_members_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['members_project.id'], name=op.f('fk_satisfaction_campaign_project_id_members_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['satisfaction_questionnaire_version.id'], name=op.f('fk_satisfaction_campaign_version_id_satisfaction_questionnaire_version'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_campaign'))
    )

    with op.batch_alter_table('satisfaction_campaign', schema=None) as batch_op:
        batch_op.create_index('ix_satisfaction_campaign_due', ['is_paused', 'next_run_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_satisfaction_campaign_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_satisfaction_campaign_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_satisfaction_campaign_version_id'), ['version_id'], unique=False)

    op.create_table('satisfaction_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('type', sa.Enum('nps', 'csat', 'ces', 'rating_1_5', 'yes_no', 'single_choice', 'multiple_choice', 'text', name='satisfaction_question_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('text_fr', sa.Text(), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('is_required', sa.Boolean(), nullable=False),
    sa.Column('commitment', sa.Enum('adequacy', 'scope', 'costs_deadlines', 'follow_up', 'efficiency', 'durability_security', 'expertise_proximity', name='satisfaction_commitment', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['satisfaction_questionnaire_version.id'], name=op.f('fk_satisfaction_question_version_id_satisfaction_questionnaire_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_question'))
    )

    with op.batch_alter_table('satisfaction_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_satisfaction_question_version_id'), ['version_id'], unique=False)

    op.create_table('satisfaction_campaign_contact',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['satisfaction_campaign.id'], name=op.f('fk_satisfaction_campaign_contact_campaign_id_satisfaction_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['members_client_contact.id'], name=op.f('fk_satisfaction_campaign_contact_contact_id_members_client_contact'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'contact_id', name=op.f('pk_satisfaction_campaign_contact'))
    )

    with op.batch_alter_table('satisfaction_campaign_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_satisfaction_campaign_contact_contact_id'), ['contact_id'], unique=False)

    op.create_table('satisfaction_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminders_sent', sa.Integer(), nullable=False),
    sa.Column('last_reminder_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_reminder_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['satisfaction_campaign.id'], name=op.f('fk_satisfaction_invitation_campaign_id_satisfaction_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['members_client_contact.id'], name=op.f('fk_satisfaction_invitation_contact_id_members_client_contact'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members_member.id'], name=op.f('fk_satisfaction_invitation_member_id_members_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['satisfaction_questionnaire_version.id'], name=op.f('fk_satisfaction_invitation_version_id_satisfaction_questionnaire_version'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_invitation')),
    sa.UniqueConstraint('campaign_id', 'contact_id', 'cycle', name=op.f('uq_satisfaction_invitation_campaign_id_contact_id_cycle')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_satisfaction_invitation_token_hash'))
    )

    with op.batch_alter_table('satisfaction_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_satisfaction_invitation_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index('ix_satisfaction_invitation_member_contact', ['member_id', 'contact_id'], unique=False)
        batch_op.create_index('ix_satisfaction_invitation_reminder', ['next_reminder_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_satisfaction_invitation_version_id'), ['version_id'], unique=False)

    op.create_table('satisfaction_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('share_with_board', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['satisfaction_campaign.id'], name=op.f('fk_satisfaction_response_campaign_id_satisfaction_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invitation_id'], ['satisfaction_invitation.id'], name=op.f('fk_satisfaction_response_invitation_id_satisfaction_invitation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_response')),
    sa.UniqueConstraint('invitation_id', name=op.f('uq_satisfaction_response_invitation_id'))
    )

    with op.batch_alter_table('satisfaction_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_satisfaction_response_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('satisfaction_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Enum('detractor', 'low_rating', name='satisfaction_alert_reason', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('follow_up', sa.Text(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['members_user.id'], name=op.f('fk_satisfaction_alert_closed_by_id_members_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['members_member.id'], name=op.f('fk_satisfaction_alert_member_id_members_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['satisfaction_question.id'], name=op.f('fk_satisfaction_alert_question_id_satisfaction_question'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['response_id'], ['satisfaction_response.id'], name=op.f('fk_satisfaction_alert_response_id_satisfaction_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_alert')),
    sa.UniqueConstraint('response_id', 'question_id', name=op.f('uq_satisfaction_alert_response_id_question_id'))
    )

    with op.batch_alter_table('satisfaction_alert', schema=None) as batch_op:
        batch_op.create_index('ix_satisfaction_alert_member_open', ['member_id', 'closed_at'], unique=False)

    op.create_table('satisfaction_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('choices', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['question_id'], ['satisfaction_question.id'], name=op.f('fk_satisfaction_answer_question_id_satisfaction_question'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['response_id'], ['satisfaction_response.id'], name=op.f('fk_satisfaction_answer_response_id_satisfaction_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_answer')),
    sa.UniqueConstraint('response_id', 'question_id', name=op.f('uq_satisfaction_answer_response_id_question_id'))
    )

    with op.batch_alter_table('satisfaction_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_satisfaction_answer_question_id'), ['question_id'], unique=False)


def downgrade():
    with op.batch_alter_table('satisfaction_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_satisfaction_answer_question_id'))

    op.drop_table('satisfaction_answer')

    with op.batch_alter_table('satisfaction_alert', schema=None) as batch_op:
        batch_op.drop_index('ix_satisfaction_alert_member_open')

    op.drop_table('satisfaction_alert')

    with op.batch_alter_table('satisfaction_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_satisfaction_response_campaign_id'))

    op.drop_table('satisfaction_response')

    with op.batch_alter_table('satisfaction_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_satisfaction_invitation_version_id'))
        batch_op.drop_index('ix_satisfaction_invitation_reminder')
        batch_op.drop_index('ix_satisfaction_invitation_member_contact')
        batch_op.drop_index(batch_op.f('ix_satisfaction_invitation_contact_id'))

    op.drop_table('satisfaction_invitation')

    with op.batch_alter_table('satisfaction_campaign_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_satisfaction_campaign_contact_contact_id'))

    op.drop_table('satisfaction_campaign_contact')

    with op.batch_alter_table('satisfaction_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_satisfaction_question_version_id'))

    op.drop_table('satisfaction_question')

    with op.batch_alter_table('satisfaction_campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_satisfaction_campaign_version_id'))
        batch_op.drop_index(batch_op.f('ix_satisfaction_campaign_project_id'))
        batch_op.drop_index(batch_op.f('ix_satisfaction_campaign_member_id'))
        batch_op.drop_index('ix_satisfaction_campaign_due')

    op.drop_table('satisfaction_campaign')

    with op.batch_alter_table('satisfaction_questionnaire_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_satisfaction_questionnaire_version_questionnaire_id'))

    op.drop_table('satisfaction_questionnaire_version')

    with op.batch_alter_table('satisfaction_questionnaire', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_satisfaction_questionnaire_member_id'))

    op.drop_table('satisfaction_questionnaire')

    op.drop_table('satisfaction_settings')
