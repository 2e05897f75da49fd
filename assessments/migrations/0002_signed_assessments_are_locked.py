from django.db import migrations

# Signed assessments are locked in the database too, not only in assessments.services: an UPDATE of a signed row is
# refused unless it only opens an amendment (status -> amending, with its reason); the battery and questionnaire rows
# of a signed assessment cannot be inserted, changed or deleted; a signed assessment cannot be deleted; and signed
# versions are append-only. (PostgreSQL only, like the audit trail's guard; SQLite is for trying Medius out.)
GUARD_SQL = """
CREATE OR REPLACE FUNCTION assessments_refuse_signed_assessment_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.version > 0 THEN
            RAISE EXCEPTION 'assessment % was signed and cannot be deleted', OLD.id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'signed' AND NOT (
        NEW.status = 'amending'
        AND (to_jsonb(NEW) - 'status' - 'amendment_reason' - 'updated_at')
            = (to_jsonb(OLD) - 'status' - 'amendment_reason' - 'updated_at')
    ) THEN
        RAISE EXCEPTION 'assessment % is signed: amend it with a reason instead', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER assessments_assessment_signed_lock
    BEFORE UPDATE OR DELETE ON assessments_assessment
    FOR EACH ROW EXECUTE FUNCTION assessments_refuse_signed_assessment_change();

CREATE OR REPLACE FUNCTION assessments_refuse_signed_child_change() RETURNS trigger AS $$
DECLARE
    parent_status text;
BEGIN
    SELECT status INTO parent_status FROM assessments_assessment
        WHERE id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.assessment_id ELSE NEW.assessment_id END);
    IF parent_status = 'signed' THEN
        RAISE EXCEPTION '% of a signed assessment refused: amend it with a reason instead', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER assessments_sidefindings_signed_lock
    BEFORE INSERT OR UPDATE OR DELETE ON assessments_sidefindings
    FOR EACH ROW EXECUTE FUNCTION assessments_refuse_signed_child_change();
CREATE TRIGGER assessments_promresponse_signed_lock
    BEFORE INSERT OR UPDATE OR DELETE ON assessments_promresponse
    FOR EACH ROW EXECUTE FUNCTION assessments_refuse_signed_child_change();

CREATE OR REPLACE FUNCTION assessments_refuse_version_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'signed assessment versions are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER assessments_assessmentversion_append_only
    BEFORE UPDATE OR DELETE ON assessments_assessmentversion
    FOR EACH ROW EXECUTE FUNCTION assessments_refuse_version_change();
"""
UNGUARD_SQL = """
DROP TRIGGER IF EXISTS assessments_assessment_signed_lock ON assessments_assessment;
DROP TRIGGER IF EXISTS assessments_sidefindings_signed_lock ON assessments_sidefindings;
DROP TRIGGER IF EXISTS assessments_promresponse_signed_lock ON assessments_promresponse;
DROP TRIGGER IF EXISTS assessments_assessmentversion_append_only ON assessments_assessmentversion;
DROP FUNCTION IF EXISTS assessments_refuse_signed_assessment_change();
DROP FUNCTION IF EXISTS assessments_refuse_signed_child_change();
DROP FUNCTION IF EXISTS assessments_refuse_version_change();
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD_SQL, params=None)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(guard, unguard)]
