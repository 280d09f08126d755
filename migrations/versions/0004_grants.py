"""The grant: the directorate's rules per year, applications and decisions, budget lines (travel
support linked to the registrations it pays for), final reports with their figures copied in;
attendance per day on registrations.

Outbox messages name the gathering they are about, so a gathering's purge deletes its personal
mail and no other.

Reviewed by hand: the per-day attendance columns are filled from the existing single check-in
flag, for the days each person registered for, so counts read the same after the upgrade;
invitation mail gets its gathering from the invitation that sent it (older confirmations cannot
be traced and keep none).

Revision ID: 0004_grants
Revises: 0003_invitations
Create Date: 2026-11-22 15:33:08.563707

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_grants'
down_revision = '0003_invitations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('grant_rules',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('rate_nok', sa.Integer(), nullable=False),
    sa.Column('attendance', sa.String(length=20), nullable=False),
    sa.Column('include_speakers', sa.Boolean(), nullable=False),
    sa.Column('purge_after_months', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("attendance IN ('any_day', 'all_days')", name=op.f('ck_grant_rules_attendance_known')),
    sa.CheckConstraint('purge_after_months BETWEEN 1 AND 60', name=op.f('ck_grant_rules_purge_months_range')),
    sa.CheckConstraint('rate_nok > 0', name=op.f('ck_grant_rules_rate_positive')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_grant_rules_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_grant_rules'))
    )
    op.create_table('budget_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('planned_nok', sa.Integer(), nullable=False),
    sa.Column('actual_nok', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("category IN ('venue', 'meals', 'social_dinner', 'accommodation', 'speakers', 'travel_support', 'materials', 'other')", name=op.f('ck_budget_lines_category_known')),
    sa.CheckConstraint('actual_nok >= 0', name=op.f('ck_budget_lines_actual_not_negative')),
    sa.CheckConstraint('planned_nok >= 0', name=op.f('ck_budget_lines_planned_not_negative')),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_budget_lines_gathering_id_gatherings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_lines'))
    )
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_lines_gathering_id'), ['gathering_id'], unique=False)

    op.create_table('final_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('follow_up_actions', sa.Text(), nullable=True),
    sa.Column('remarks', sa.Text(), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('purged_at', sa.DateTime(), nullable=True),
    sa.Column('purge_reminded_at', sa.DateTime(), nullable=True),
    sa.Column('rate_nok', sa.Integer(), nullable=True),
    sa.Column('attendance', sa.String(length=20), nullable=True),
    sa.Column('include_speakers', sa.Boolean(), nullable=True),
    sa.Column('participants', sa.Integer(), nullable=True),
    sa.Column('municipal_staff', sa.Integer(), nullable=True),
    sa.Column('county_staff', sa.Integer(), nullable=True),
    sa.Column('partners', sa.Integer(), nullable=True),
    sa.Column('speakers', sa.Integer(), nullable=True),
    sa.Column('municipalities_covered', sa.Integer(), nullable=True),
    sa.Column('municipalities_total', sa.Integer(), nullable=True),
    sa.Column('granted_nok', sa.Integer(), nullable=True),
    sa.Column('spent_nok', sa.Integer(), nullable=True),
    sa.CheckConstraint("attendance IS NULL OR attendance IN ('any_day', 'all_days')", name=op.f('ck_final_reports_attendance_known')),
    sa.CheckConstraint("purged_at IS NULL OR status = 'approved'", name=op.f('ck_final_reports_purge_after_approval')),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'returned', 'approved')", name=op.f('ck_final_reports_status_known')),
    sa.CheckConstraint("status NOT IN ('submitted', 'approved') OR (participants IS NOT NULL AND spent_nok IS NOT NULL AND granted_nok IS NOT NULL)", name=op.f('ck_final_reports_figures_when_submitted')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_final_reports_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_final_reports_gathering_id_gatherings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_final_reports_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_final_reports')),
    sa.UniqueConstraint('gathering_id', name=op.f('uq_final_reports_gathering_id'))
    )
    op.create_table('grant_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('planned_participants', sa.Integer(), nullable=False),
    sa.Column('rate_nok', sa.Integer(), nullable=False),
    sa.Column('applied_nok', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_nok', sa.Integer(), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(status = 'decided') = (granted_nok IS NOT NULL)", name=op.f('ck_grant_applications_granted_when_decided')),
    sa.CheckConstraint("status IN ('submitted', 'decided')", name=op.f('ck_grant_applications_status_known')),
    sa.CheckConstraint('applied_nok >= 0 AND applied_nok <= rate_nok * planned_participants', name=op.f('ck_grant_applications_applied_within_ceiling')),
    sa.CheckConstraint('granted_nok IS NULL OR (granted_nok >= 0 AND granted_nok <= applied_nok)', name=op.f('ck_grant_applications_granted_within_applied')),
    sa.CheckConstraint('planned_participants > 0', name=op.f('ck_grant_applications_planned_positive')),
    sa.CheckConstraint('rate_nok > 0', name=op.f('ck_grant_applications_rate_positive')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_grant_applications_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], name=op.f('fk_grant_applications_gathering_id_gatherings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_grant_applications_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_applications')),
    sa.UniqueConstraint('gathering_id', name=op.f('uq_grant_applications_gathering_id'))
    )
    op.create_table('budget_line_registrations',
    sa.Column('budget_line_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['budget_line_id'], ['budget_lines.id'], name=op.f('fk_budget_line_registrations_budget_line_id_budget_lines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_budget_line_registrations_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('budget_line_id', 'registration_id', name=op.f('pk_budget_line_registrations')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_budget_line_registrations_registration_id'))
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attended_day1', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('attended_day2', sa.Boolean(), nullable=True))

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gathering_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_messages_gathering_id'), ['gathering_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_messages_gathering_id_gatherings'), 'gatherings', ['gathering_id'], ['id'], ondelete='SET NULL')

    op.execute("UPDATE outbox_messages SET gathering_id = (SELECT i.gathering_id FROM invitations i "
               "WHERE i.outbox_message_id = outbox_messages.id) "
               "WHERE id IN (SELECT outbox_message_id FROM invitations)")
    op.execute("UPDATE registrations SET attended_day1 = (attended AND day1), "
               "attended_day2 = (attended AND day2) WHERE attended IS NOT NULL")


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_gathering_id_gatherings'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_gathering_id'))
        batch_op.drop_column('gathering_id')

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('attended_day2')
        batch_op.drop_column('attended_day1')

    op.drop_table('budget_line_registrations')
    op.drop_table('grant_applications')
    op.drop_table('final_reports')
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_lines_gathering_id'))

    op.drop_table('budget_lines')
    op.drop_table('grant_rules')
