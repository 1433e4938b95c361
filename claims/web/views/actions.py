"""Claim workspace actions: one POST endpoint each, confirm → call → show result.

Actions whose service lives in another area (engine, letters) go through
``_engine``: the service is imported lazily by its planned name, and when it is
not there yet the user gets a clear "not available" message instead of a crash.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from claims.ledger import services
from claims.models import Event
from claims.security.access import current_membership
from claims.security.access import get_claim_for_user
from claims.security.access import require_write
from claims.security.params import safe_next
from claims.security.params import uuid_list
from claims.web.forms import CloseForm
from claims.web.forms import DisputeReasonForm
from claims.web.forms import DisputeResolveForm
from claims.web.forms import NoteForm
from claims.web.forms import PauseForm
from claims.web.forms import PaymentForm
from claims.web.forms import ReasonForm

# action key → (module, function, label, what it will do)
ENGINE_ACTIONS: dict[str, tuple[str, str, Any, Any]] = {
    "send_next": (
        "claims.engine.collection",
        "send_next_now",
        gettext_lazy("Envoyer l'étape suivante maintenant"),
        gettext_lazy(
            "La prochaine relance prévue part tout de suite au débiteur, "
            "au lieu d'attendre sa date."
        ),
    ),
    "skip": (
        "claims.engine.collection",
        "action_skip",
        gettext_lazy("Ne pas envoyer la prochaine étape"),
        gettext_lazy(
            "La prochaine relance prévue n'est pas envoyée ; la suivante reste prévue."
        ),
    ),
    "dispute_open": (
        "claims.engine.collection",
        "dispute_open",
        gettext_lazy("Enregistrer une contestation"),
        gettext_lazy(
            "Les relances automatiques s'arrêtent jusqu'à ce que vous tranchiez la contestation."
        ),
    ),
    "dispute_resolve": (
        "claims.engine.collection",
        "dispute_resolve",
        gettext_lazy("Clore la contestation"),
        gettext_lazy(
            "La contestation est close et les relances reprennent là où elles étaient."
        ),
    ),
    "escalate": (
        "claims.engine.collection",
        "escalate_now",
        gettext_lazy("Arrêter les relances amiables (voie judiciaire)"),
        gettext_lazy(
            "Les relances encore prévues ne partent pas : la phase amiable est "
            "terminée et le conseil de procédure vous aide à choisir la suite."
        ),
    ),
    "close": (
        "claims.engine.collection",
        "claim_close",
        gettext_lazy("Clôturer la créance"),
        gettext_lazy(
            "La créance est clôturée : plus aucune relance ne part et les actions prévues sont annulées."
        ),
    ),
}

ENGINE_FORMS: dict[str, type] = {
    "close": CloseForm,
    "dispute_open": DisputeReasonForm,
    "dispute_resolve": DisputeResolveForm,
}

LETTER_URLS: dict[str, tuple[str, Any]] = {
    "formal_notice": (
        "letters:formal_notice_generate",
        gettext_lazy("Générer la mise en demeure"),
    ),
    "bailiff_file": (
        "letters:bailiff_file",
        gettext_lazy("Préparer le dossier pour l'huissier"),
    ),
}
LETTER_EXPLANATIONS: dict[str, Any] = {
    "formal_notice": gettext_lazy(
        "La mise en demeure est produite en PDF avec le décompte du jour, archivée "
        "et ajoutée aux documents de la créance. Elle pourra être envoyée par recommandé."
    ),
    "bailiff_file": gettext_lazy(
        "Le dossier pour l'huissier (factures, décompte, courriers envoyés, historique) "
        "est rassemblé dans un fichier ZIP, archivé avec les documents de la créance."
    ),
}


def engine_service(key: str) -> Callable[..., Any] | None:
    """The engine's service for ``key``, or None while it is not merged in."""
    module_name, func_name, _label, _what = ENGINE_ACTIONS[key]
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(module, func_name, None)


def engine_call(
    key: str, service: Callable[..., Any], *, claim: Any, actor: Any, data: dict
) -> Any:
    """Call the engine's service with the arguments its signature expects.

    Signatures are those of ``claims.engine.collection`` (engine area); a
    step or dispute to act on is the claim's next planned action / open dispute.
    """
    reason = data.get("reason", "") or ""
    if key == "send_next":
        return service(claim_id=claim.pk, actor=actor)
    if key == "skip":
        action = claim.actions.filter(state="planned").order_by("due_on", "pk").first()
        if action is None:
            raise ValidationError(_("Aucune étape prévue à passer."))
        return service(action_id=action.pk, actor=actor, reason=reason)
    if key == "dispute_open":
        return service(claim_id=claim.pk, reason=reason, actor=actor)
    if key == "dispute_resolve":
        dispute = claim.disputes.filter(status="open").order_by("-opened_at").first()
        if dispute is None:
            raise ValidationError(_("Aucune contestation ouverte."))
        return service(
            dispute_id=dispute.pk, status=data["status"], answer=reason, actor=actor
        )
    if key == "close":
        return service(
            claim_id=claim.pk,
            closed_reason=data["closed_reason"],
            actor=actor,
            note=reason,
        )
    return service(claim_id=claim.pk, actor=actor, reason=reason)


def letter_url(key: str, claim_code: UUID) -> str | None:
    """The letters page for ``key`` on this claim, or None while it does not exist."""
    try:
        return reverse(LETTER_URLS[key][0], kwargs={"code": claim_code})
    except NoReverseMatch:
        return None


def _back(claim: Any) -> HttpResponse:
    return redirect(claim.get_absolute_url())


def form_errors(form: Any, exc: ValidationError) -> None:
    """A service's refusal shown next to the field it names (else above the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        return
    for msg in exc.messages:
        form.add_error(None, msg)


# What an action reports: a message level (messages.SUCCESS, WARNING, ERROR)
# and the text; a plain text is a success.
Result = str | tuple[int, str]


def engine_result(key: str, outcome: Any) -> tuple[int, str]:
    """Say what really happened: "done" only when something was done.

    ``send_next`` returns the delivery's outcome (sent, held by a dispute or
    a legal waiting period, skipped, failed, with the reason); ``skip``
    returns whether the step was still planned.
    """
    if key == "send_next":
        if getattr(outcome, "done", None):
            return messages.SUCCESS, _("Envoyé : le message est parti au débiteur.")
        for attr, level, text in (
            ("failed", messages.ERROR, _("L'envoi a échoué : %(why)s")),
            ("held", messages.WARNING, _("Rien n'est parti : %(why)s")),
            ("skipped", messages.WARNING, _("Rien n'est parti : %(why)s")),
        ):
            reasons = getattr(outcome, attr, None) or {}
            if reasons:
                why = "; ".join(sorted({str(r) for r in reasons.values()}))
                return level, text % {"why": why}
        if getattr(outcome, "retry", False):
            return messages.WARNING, _(
                "Rien n'est parti : le service d'envoi ne répond pas, "
                "l'étape reste prévue et repartira au prochain passage."
            )
        return messages.WARNING, _("Rien n'est parti : aucune étape à envoyer.")
    if key == "skip":
        if outcome:
            return messages.SUCCESS, _(
                "Étape annulée : elle ne sera pas envoyée ; la suivante reste prévue."
            )
        return messages.WARNING, _("Rien n'a changé : l'étape n'était plus prévue.")
    done = {
        "dispute_open": _(
            "Contestation enregistrée : les relances sont suspendues "
            "jusqu'à ce que vous la tranchiez."
        ),
        "dispute_resolve": _("Contestation close."),
        "escalate": _(
            "Relances amiables arrêtées : choisissez une procédure judiciaire."
        ),
        "close": _("Créance clôturée : plus aucune relance ne part."),
    }
    return messages.SUCCESS, done[key]


def _confirm_or_run(
    request: HttpRequest,
    code: UUID,
    *,
    key: str,
    form_class: type,
    run: Callable[[Any, dict[str, Any]], Result],
    title: Any,
    explanation: Any,
) -> HttpResponse:
    """GET shows the plain-words confirmation; POST validates, runs and reports."""
    claim = get_claim_for_user(request, code)
    if request.method == "POST":
        require_write(request)
        form = form_class(request.POST)
        if form.is_valid():
            try:
                result = run(claim, form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                level, text = (
                    result if isinstance(result, tuple) else (messages.SUCCESS, result)
                )
                messages.add_message(request, level, text)
                return _back(claim)
    else:
        form = form_class(initial=_initial(key))
    template = "claims/action_confirm.html"
    return render(
        request,
        template,
        {
            "membership": current_membership(request),
            "claim": claim,
            "form": form,
            "title": title,
            "explanation": explanation,
            "action_key": key,
        },
        status=400 if request.method == "POST" else 200,
    )


def _initial(key: str) -> dict[str, Any]:
    today = timezone.localdate()
    if key == "payment":
        return {"on": today}
    if key == "pause":
        return {"until": today + timedelta(days=14)}
    return {}


@login_required
def payment_record(request: HttpRequest, code: UUID) -> HttpResponse:
    def run(claim: Any, data: dict[str, Any]) -> str:
        from claims.ledger.statements import amount_to_pay
        from claims.ledger.statements import claim_statement
        from claims.ledger.statements import creditor_today
        from claims.models import Claim

        today = creditor_today(claim.creditor)
        # The statement of account (interest and fees included) is what is due.
        before = amount_to_pay(
            claim_statement(claim=Claim.objects.get(pk=claim.pk), at=today)
        )
        services.payment_record(
            claim=claim,
            amount=data["amount"],
            on=data["on"],
            method=data["method"],
            reference=data["reference"],
            actor=request.user,
        )
        from claims.templatetags.money import money

        return _(
            "Paiement de %(amount)s enregistré. Reste à payer : %(before)s → %(after)s."
        ) % {
            "amount": money(data["amount"]),
            "before": money(before),
            "after": money(
                amount_to_pay(
                    claim_statement(claim=Claim.objects.get(pk=claim.pk), at=today)
                )
            ),
        }

    return _confirm_or_run(
        request,
        code,
        key="payment",
        form_class=PaymentForm,
        run=run,
        title=_("Enregistrer un paiement"),
        explanation=_(
            "Le montant est ajouté aux paiements de la créance et le solde est recalculé. "
            "Si le solde tombe à zéro, les relances s'arrêtent."
        ),
    )


@login_required
def note_add(request: HttpRequest, code: UUID) -> HttpResponse:
    def run(claim: Any, data: dict[str, Any]) -> str:
        services.event_record(
            claim=claim,
            kind=Event.Kind.NOTE,
            message=data["message"],
            actor=request.user,
        )
        return _("Note ajoutée à l'historique.")

    return _confirm_or_run(
        request,
        code,
        key="note",
        form_class=NoteForm,
        run=run,
        title=_("Ajouter une note"),
        explanation=_(
            "La note apparaît dans l'historique de la créance. Le débiteur ne la voit pas."
        ),
    )


@login_required
def pause(request: HttpRequest, code: UUID) -> HttpResponse:
    def run(claim: Any, data: dict[str, Any]) -> str:
        from claims.engine.collection import pause_until

        pause_until(
            claim_id=claim.pk,
            until=data["until"],
            actor=request.user,
            reason=data["reason"],
        )
        return _("Aucune relance ne partira avant le %(d)s.") % {
            "d": data["until"].strftime("%d/%m/%Y")
        }

    return _confirm_or_run(
        request,
        code,
        key="pause",
        form_class=PauseForm,
        run=run,
        title=_("Promesse de paiement : suspendre les relances"),
        explanation=_(
            "Aucune relance ne part avant la date choisie. Ensuite, le scénario reprend "
            "si la créance n'est pas payée."
        ),
    )


@login_required
def engine_action(request: HttpRequest, code: UUID, key: str) -> HttpResponse:
    """Actions that belong to the collection engine, reached by name."""
    if key not in ENGINE_ACTIONS:
        from django.http import Http404

        raise Http404
    _module, _func, title, explanation = ENGINE_ACTIONS[key]

    def run(claim: Any, data: dict[str, Any]) -> Result:
        from claims.engine.stages import TransitionError

        service = engine_service(key)
        if service is None:
            raise ValidationError(
                _("Cette action n'est pas encore disponible dans cette installation.")
            )
        try:
            outcome = engine_call(
                key, service, claim=claim, actor=request.user, data=data
            )
        except TransitionError as exc:
            raise ValidationError(str(exc)) from exc
        return engine_result(key, outcome)

    return _confirm_or_run(
        request,
        code,
        key=key,
        form_class=ENGINE_FORMS.get(key, ReasonForm),
        run=run,
        title=title,
        explanation=explanation,
    )


@login_required
def letter_confirm(request: HttpRequest, code: UUID, key: str) -> HttpResponse:
    """Plain-words confirmation; the form posts to the letters area's endpoint."""
    claim = get_claim_for_user(request, code)
    if key not in LETTER_URLS:
        from django.http import Http404

        raise Http404
    return render(
        request,
        "claims/action_confirm.html",
        {
            "membership": current_membership(request),
            "claim": claim,
            "form": None,
            "post_to": letter_url(key, claim.code),
            "title": LETTER_URLS[key][1],
            "explanation": LETTER_EXPLANATIONS[key],
        },
    )


@login_required
def route_advice(request: HttpRequest, code: UUID) -> HttpResponse:
    """The judicial route advisor's answer for this claim (read-only)."""
    claim = get_claim_for_user(request, code)
    advice = None
    try:
        module = importlib.import_module("claims.judicial.routes")
        advise = getattr(module, "route_advice", None)
    except ImportError:
        advise = None
    if advise is not None:
        advice = advise(claim=claim, today=timezone.localdate())
    from claims.models import JudicialCase
    from claims.web.forms_judicial import HandoffForm

    membership = current_membership(request)
    can_hand_off = (
        membership.can_write
        and claim.status == "open"
        and not JudicialCase.objects.filter(claim=claim).exists()
    )
    # One hand-off form per open procedure, each with its own field ids.
    options = [
        (
            o,
            HandoffForm(
                creditor_id=membership.creditor_id,
                initial={"on": timezone.localdate()},
                auto_id=f"id_{o.route}_%s",
            )
            if can_hand_off and o.eligible and o.route not in ("amicable", "write_off")
            else None,
        )
        for o in (advice.options if advice is not None else [])
    ]
    return render(
        request,
        "claims/route_advice.html",
        {
            "claim": claim,
            "advice": advice,
            "options": options,
            "membership": membership,
        },
    )


@require_POST
@login_required
def bulk(request: HttpRequest) -> HttpResponse:
    """Bulk actions from the claims list: pause for 14 days or send the next step."""
    from claims.models import Claim

    membership = require_write(request)
    codes = uuid_list(request.POST.getlist("claims"))
    chosen = list(
        Claim.objects.for_creditor(membership.creditor_id).filter(code__in=codes)
    )
    action = request.POST.get("action")
    if not chosen:
        messages.warning(request, _("Cochez au moins une créance."))
    elif action == "pause":
        from claims.engine.collection import pause_until

        until = timezone.localdate() + timedelta(days=14)
        for claim in [c for c in chosen if c.is_open]:
            pause_until(
                claim_id=claim.pk,
                until=until,
                actor=request.user,
                reason=_("action groupée"),
            )
        messages.success(
            request,
            _("%(n)d créance(s) en pause jusqu'au %(d)s.")
            % {"n": len(chosen), "d": until.strftime("%d/%m/%Y")},
        )
    elif action == "send_next":
        service = engine_service("send_next")
        if service is None:
            messages.error(
                request,
                _("Cette action n'est pas encore disponible dans cette installation."),
            )
        else:
            sent = 0
            for claim in chosen:
                try:
                    outcome = engine_call(
                        "send_next", service, claim=claim, actor=request.user, data={}
                    )
                except ValidationError:
                    continue
                sent += bool(outcome.done)
            level = messages.SUCCESS if sent == len(chosen) else messages.WARNING
            messages.add_message(
                request,
                level,
                _("%(sent)d relance(s) envoyée(s) sur %(n)d créance(s) choisie(s).")
                % {"sent": sent, "n": len(chosen)},
            )
    return redirect(
        safe_next(request, request.POST.get("next"), reverse("claims:claim_list"))
    )


UNCERTAIN_DECISIONS: dict[str, tuple[Any, Any, Any]] = {
    "confirm": (
        gettext_lazy("Confirmer que le message est parti"),
        gettext_lazy(
            "Vous avez vérifié que le débiteur a reçu ce message (dans votre "
            "messagerie ou chez votre fournisseur, par son Message-ID). L'étape est "
            "enregistrée comme envoyée, sans renvoyer le message."
        ),
        gettext_lazy("Envoi confirmé : l'étape est enregistrée comme envoyée."),
    ),
    "resend": (
        gettext_lazy("Renvoyer le message"),
        gettext_lazy(
            "Le message n'est pas arrivé : il repart au prochain passage, avec un "
            "nouveau Message-ID, si la créance est toujours due."
        ),
        gettext_lazy("Nouvel envoi demandé : il part au prochain passage."),
    ),
}


@login_required
def uncertain_decide(request: HttpRequest, code: UUID, decision: str) -> HttpResponse:
    """The owner settles an uncertain send (action ``code``): confirm it left, or
    send it again. Another creditor's action answers 404."""
    from django.forms import Form
    from django.http import Http404

    from claims.engine.run import ActionNotUncertain
    from claims.engine.run import action_confirm_sent
    from claims.engine.run import action_resend
    from claims.models import Action

    if decision not in UNCERTAIN_DECISIONS:
        raise Http404
    membership = current_membership(request)
    found = (
        Action.objects.for_creditor(membership.creditor_id)
        .filter(code=code)
        .values_list("claim__code", flat=True)
        .first()
    )
    if found is None:
        raise Http404
    title, explanation, done = UNCERTAIN_DECISIONS[decision]
    service = action_confirm_sent if decision == "confirm" else action_resend

    def run(claim: Any, _data: dict[str, Any]) -> str:
        try:
            service(creditor=claim.creditor, code=code, actor=request.user)
        except Action.DoesNotExist as exc:
            raise Http404 from exc
        except ActionNotUncertain as exc:
            raise ValidationError(str(exc)) from exc
        return str(done)

    return _confirm_or_run(
        request,
        found,
        key=f"uncertain_{decision}",
        form_class=Form,
        run=run,
        title=title,
        explanation=explanation,
    )
