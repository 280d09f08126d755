"""Materials: files attached to programme items and to gatherings.

- materials: one stored file. gathering_id (ON DELETE CASCADE, indexed); programme_item_id for
  slides and handouts (ON DELETE CASCADE, indexed); kind one of 'slides', 'group_work',
  'notes'; table_label and round_label (free text, group work only); filename (cleaned, as
  shown and sent back), file_type one of 'pdf', 'pptx', 'docx', 'xlsx', 'png', 'jpeg' (read
  from the content), size_bytes; storage_key (random, unique: the file's name in the store);
  personal_data (the purge deletes these); uploaded_at, uploaded_by_id (ON DELETE SET NULL).
- Checks: kind and file_type known; an item exactly for slides; labels only for group work;
  a positive size; a filename.

Reviewed by hand: one new table with its keys, indexes and checks named by the naming
convention; nothing existing changes. Downgrade drops the table: the rows go, and the files
stay in the store (instance/materials or the bucket) to be removed by hand.

Revision ID: 0020_materials
Revises: 0019_survey_as_asked
Create Date: 2026-12-07 12:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0020_materials'
down_revision = '0019_survey_as_asked'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('programme_item_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('table_label', sa.String(length=40), nullable=True),
    sa.Column('round_label', sa.String(length=40), nullable=True),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('file_type', sa.String(length=8), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('personal_data', sa.Boolean(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('slides', 'group_work', 'notes')",
                       name=op.f('ck_materials_kind_known')),
    sa.CheckConstraint("file_type IN ('pdf', 'pptx', 'docx', 'xlsx', 'png', 'jpeg')",
                       name=op.f('ck_materials_file_type_known')),
    sa.CheckConstraint("(kind = 'slides') = (programme_item_id IS NOT NULL)",
                       name=op.f('ck_materials_item_for_slides')),
    sa.CheckConstraint("kind = 'group_work' OR (table_label IS NULL AND round_label IS NULL)",
                       name=op.f('ck_materials_labels_for_group_work')),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_materials_size_positive')),
    sa.CheckConstraint('length(filename) > 0', name=op.f('ck_materials_filename_not_empty')),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'],
                            name=op.f('fk_materials_gathering_id_gatherings'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_item_id'], ['programme_items.id'],
                            name=op.f('fk_materials_programme_item_id_programme_items'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
                            name=op.f('fk_materials_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_materials')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_materials_storage_key'))
    )
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_materials_gathering_id'), ['gathering_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_materials_programme_item_id'),
                              ['programme_item_id'], unique=False)


def downgrade():
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_materials_programme_item_id'))
        batch_op.drop_index(batch_op.f('ix_materials_gathering_id'))
    op.drop_table('materials')
