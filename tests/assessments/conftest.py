import pytest


@pytest.fixture
def staff_roles(django_db_blocker):
    """Transactional tests flush the database afterwards, and with it the role groups that migration
    clinic 0002 created; a later transactional test must put them back before it makes users."""
    from django.contrib.auth.models import Group

    from clinic.roles import STAFF_ROLES

    with django_db_blocker.unblock():
        for role in STAFF_ROLES:
            Group.objects.get_or_create(name=role.value)
