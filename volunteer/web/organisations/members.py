"""Members and their roles: invite (and revoke pending invitations), change role, remove, hand
over admin, leave."""

from functools import partial
from typing import Any

from flask import (
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm

from volunteer.models import (
    MemberRole,
    Membership,
)
from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.platform.links import public_links
from volunteer.services.organisations import invitations as invitation_service
from volunteer.services.organisations import members as member_service
from volunteer.web.forms import ButtonForm, apply_error, form_status
from volunteer.web.helpers import (
    act_and_return,
    acting_user,
    commit_or_report,
    flash_error,
    not_found,
)
from volunteer.web.organisations import bp
from volunteer.web.organisations.forms import (
    ROLE_LABELS,
    InviteForm,
    RoleForm,
)
from volunteer.web.organisations.loading import (
    OrgAction,
    act_on,
    organisation_or_404,
    owned_or_404,
    page_context,
)


@bp.route("/<int:org_id>/mitglieder", methods=["GET", "POST"])
@login_required
def members(org_id: int) -> Any:
    org = organisation_or_404(org_id)
    db = get_session()
    form = InviteForm()
    ctx = page_context(org)
    if request.method == "POST":
        if not ctx["is_admin"]:
            abort(404)
        if form.validate_on_submit():
            done = commit_or_report(
                lambda: invitation_service.invite(
                    db,
                    org,
                    email=form.email.data or "",
                    role=form.role.data or MemberRole.MEMBER,
                    by=acting_user(),
                    now=now(),
                    links=public_links(current_app),
                    mail_budget=current_app.config["MAIL_BUDGET_PER_HOUR"],
                ),
                report=partial(apply_error, form),
                success=_("We have sent an invitation to %(email)s.", email=form.email.data),
            )
            if done:
                return redirect(url_for("organisations.members", org_id=org.id))
    rows = member_service.members(db, org)
    invitations = (
        invitation_service.pending_invitations(db, org, now=now()) if ctx["is_admin"] else []
    )
    return render_template(
        "organisations/members.html",
        **ctx,
        form=form,
        rows=rows,
        invitations=invitations,
        role_labels=ROLE_LABELS,
        role_form=RoleForm(),
        confirm=ButtonForm(),
        me=acting_user(),
    ), form_status(form)


@bp.post("/<int:org_id>/einladungen/<int:invitation_id>/zurueckziehen")
@login_required
def revoke_invitation(org_id: int, invitation_id: int) -> Any:
    org = organisation_or_404(org_id, admin=True)
    return act_and_return(
        lambda: invitation_service.revoke_invitation(
            get_session(), org, invitation_id, by=acting_user(), now=now()
        ),
        # Another organisation's invitation, or one already gone: "not there" (404).
        report=not_found,
        success=_("The invitation is withdrawn; its link no longer works."),
        back=url_for("organisations.members", org_id=org.id),
    )


def _act_on_member(
    org_id: int,
    member_id: int,
    form: FlaskForm,
    action: OrgAction[Membership],
    *,
    success: str,
) -> Any:
    """An admin's action on one member (role, remove, hand over): the member is looked up within
    the organisation (404 otherwise), and the members page shows the outcome."""
    org = organisation_or_404(org_id, admin=True)
    member = owned_or_404(org, Membership, member_id)
    back = url_for("organisations.members", org_id=org.id)
    return act_on(org, member, action, success=success, back=back, form=form)


@bp.post("/<int:org_id>/mitglieder/<int:member_id>/rolle")
@login_required
def set_role(org_id: int, member_id: int) -> Any:
    form = RoleForm()
    action = partial(member_service.set_role, role=form.role.data or "")
    return _act_on_member(org_id, member_id, form, action, success=_("The role is changed."))


@bp.post("/<int:org_id>/mitglieder/<int:member_id>/entfernen")
@login_required
def remove_member(org_id: int, member_id: int) -> Any:
    return _act_on_member(
        org_id,
        member_id,
        ButtonForm(),
        member_service.remove_member,
        success=_("The member is removed."),
    )


@bp.post("/<int:org_id>/mitglieder/<int:member_id>/admin-uebergeben")
@login_required
def transfer_admin(org_id: int, member_id: int) -> Any:
    return _act_on_member(
        org_id,
        member_id,
        ButtonForm(),
        member_service.transfer_admin,
        success=_("You have handed over the admin role."),
    )


@bp.post("/<int:org_id>/verlassen")
@login_required
def leave(org_id: int) -> Any:
    org = organisation_or_404(org_id)
    db = get_session()
    if ButtonForm().validate_on_submit():
        done = commit_or_report(
            lambda: member_service.leave(db, org, by=acting_user(), now=now()),
            report=flash_error,
            success=_("You have left %(name)s.", name=org.name),
        )
        if done:
            return redirect(url_for("organisations.index"))
    return redirect(url_for("organisations.members", org_id=org.id))
