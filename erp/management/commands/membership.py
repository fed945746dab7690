"""membership grant USER ENTITY ROLE | revoke USER ENTITY | list [--entity E], each with [--json]"""

from django.contrib.auth import get_user_model

from erp.exceptions import InvalidInput
from erp.management.base import FolioCommand
from erp.models import Membership, Role
from erp.selectors import entity_by_id_or_code
from erp.services.memberships import membership_grant, membership_revoke
from erp.services.modes import live_entity_of


def _user(username: str):
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise InvalidInput(f"No user named {username!r}.", code="user_not_found", param="user") from None


def _row(membership: Membership) -> dict:
    return {
        "user": membership.user.username,
        "entity": membership.entity.code,
        "role": membership.role,
        "granted_by": membership.granted_by,
        "created_at": membership.created_at.isoformat(),
    }


class Command(FolioCommand):
    help = (
        "Give a staff user a role on an entity in the admin, take it away, "
        "or list who has access (docs/access.md)."
    )

    json_option = False  # each verb takes --json, so it may follow the verb's arguments

    def add_command_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        grant = verbs.add_parser("grant", help="Give USER the ROLE on ENTITY (a new grant changes the role).")
        grant.add_argument("user", help="The staff user's username.")
        grant.add_argument("entity", help="Entity id or code.")
        grant.add_argument("role", choices=Role.values)
        revoke = verbs.add_parser("revoke", help="Take USER's access to ENTITY away.")
        revoke.add_argument("user", help="The staff user's username.")
        revoke.add_argument("entity", help="Entity id or code.")
        listing = verbs.add_parser("list", help="List memberships, of one entity or of all.")
        listing.add_argument("--entity", help="Entity id or code.")
        for verb in (grant, revoke, listing):
            verb.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, **options):
        getattr(self, f"_{options['verb']}")(options)

    def _grant(self, options):
        user, entity = _user(options["user"]), entity_by_id_or_code(options["entity"])
        membership = membership_grant(
            user=user, entity=entity, role=options["role"], granted_by="command:membership"
        )
        self.emit(
            options,
            _row(membership),
            f"{user.username} is {membership.role} of {membership.entity.code}.",
        )

    def _revoke(self, options):
        user, entity = _user(options["user"]), live_entity_of(entity_by_id_or_code(options["entity"]))
        membership = Membership.objects.filter(user=user, entity=entity).first()
        if membership is None:
            raise InvalidInput(
                f"{user.username} has no access to {entity.code}.", code="membership_not_found", param="user"
            )
        membership_revoke(membership=membership, revoked_by="command:membership")
        self.emit(
            options,
            {"user": user.username, "entity": entity.code, "revoked": True},
            f"{user.username} no longer has access to {entity.code}.",
        )

    def _list(self, options):
        memberships = Membership.objects.select_related("user", "entity").order_by(
            "entity__code", "user__username"
        )
        if options.get("entity"):
            memberships = memberships.filter(entity=live_entity_of(entity_by_id_or_code(options["entity"])))
        rows = [_row(membership) for membership in memberships]
        text = (
            "\n".join(f"{row['entity']}\t{row['user']}\t{row['role']}" for row in rows) or "No memberships."
        )
        self.emit(options, {"memberships": rows}, text)
