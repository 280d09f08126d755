"""The directorate in planning: conversation, quality assurance, evaluation meeting.

- dialogue_comments: the conversation per gathering between the county's hosts and the
  directorate. topic ('programme', 'application', 'report'), the text (not blank), the side
  that wrote it ('county', 'directorate': kept apart from the author, whose account may go),
  author_id (SET NULL with the user), created_at. Goes with its gathering (CASCADE); indexed by
  gathering, as the page reads a gathering's comments.
- gatherings.quality_assured_at, quality_assured_by_id: the directorate's quality-assured mark on
  the programme (SET NULL with the user); a check that "who" is never set without "when".
- evaluation_meetings: the directorate's evaluation meeting with the organisers after the
  gathering, one per gathering (unique): held_on, notes (not blank), agreed_actions (lines of
  text, may be empty), recorded_by_id (SET NULL), recorded_at, updated_at. Goes with its
  gathering (CASCADE). That the day is after the gathering and not in the future is the
  service's rule (the database does not know today).

Reviewed by hand: two new tables and two nullable columns with one foreign key and one check on
gatherings, every name by the naming convention; existing gatherings keep NULL (not assured).
Downgrade drops what upgrade added, in reverse: the conversations, the marks and the meetings
are lost.

Revision ID: 0021_planning_dialogue
Revises: 0020_materials
Create Date: 2026-12-07 12:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0021_planning_dialogue'
down_revision = '0020_materials'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dialogue_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('side', sa.String(length=12), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("topic IN ('programme', 'application', 'report')",
                       name=op.f('ck_dialogue_comments_topic_known')),
    sa.CheckConstraint("side IN ('county', 'directorate')",
                       name=op.f('ck_dialogue_comments_side_known')),
    sa.CheckConstraint('length(trim(body)) > 0',
                       name=op.f('ck_dialogue_comments_body_not_blank')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'],
                            name=op.f('fk_dialogue_comments_author_id_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'],
                            name=op.f('fk_dialogue_comments_gathering_id_gatherings'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dialogue_comments'))
    )
    with op.batch_alter_table('dialogue_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dialogue_comments_gathering_id'), ['gathering_id'],
                              unique=False)

    op.create_table('evaluation_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('agreed_actions', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('length(trim(notes)) > 0',
                       name=op.f('ck_evaluation_meetings_notes_not_blank')),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'],
                            name=op.f('fk_evaluation_meetings_gathering_id_gatherings'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                            name=op.f('fk_evaluation_meetings_recorded_by_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_meetings')),
    sa.UniqueConstraint('gathering_id', name=op.f('uq_evaluation_meetings_gathering_id'))
    )

    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quality_assured_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('quality_assured_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_gatherings_quality_assured_by_id_users'),
                                    'users', ['quality_assured_by_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_check_constraint(
            'quality_assured_dated',
            'quality_assured_by_id IS NULL OR quality_assured_at IS NOT NULL')


def downgrade():
    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_gatherings_quality_assured_dated'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_gatherings_quality_assured_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('quality_assured_by_id')
        batch_op.drop_column('quality_assured_at')

    op.drop_table('evaluation_meetings')
    with op.batch_alter_table('dialogue_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dialogue_comments_gathering_id'))
    op.drop_table('dialogue_comments')
