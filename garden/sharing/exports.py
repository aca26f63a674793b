"""A member's sharing data for their download: their offers, claims and loans."""

from .models import Claim, Loan, Offer


def _when(value) -> str | None:
    return value.isoformat() if value else None


def export_user(user) -> dict:
    offers = Offer.objects.filter(offered_by=user).order_by("created_at")
    claims = Claim.objects.filter(claimant=user).select_related("offer").order_by("created_at")
    loans = Loan.objects.filter(borrower=user).select_related("tool").order_by("created_at")
    return {
        "offers": [
            {
                "crop": offer.crop,
                "quantity": str(offer.quantity),
                "quantity_left": str(offer.quantity_left),
                "unit": offer.unit,
                "pickup_from": _when(offer.pickup_from),
                "pickup_until": _when(offer.pickup_until),
                "pickup_place": offer.pickup_place,
                "expires_at": _when(offer.expires_at),
                "audience": offer.audience,
                "status": offer.status,
                "created_at": _when(offer.created_at),
            }
            for offer in offers
        ],
        "claims": [
            {
                "crop": claim.offer.crop,
                "garden": claim.offer.origin_name or None,
                "quantity": str(claim.quantity),
                "unit": claim.offer.unit,
                "status": claim.status,
                "created_at": _when(claim.created_at),
                "picked_up_at": _when(claim.picked_up_at),
            }
            for claim in claims
        ],
        "loans": [
            {
                "tool": loan.tool.name,
                "garden": loan.tool.origin_name or None,
                "start_date": str(loan.start_date),
                "end_date": str(loan.end_date),
                "note": loan.note,
                "status": loan.status,
                "return_note": loan.return_note,
            }
            for loan in loans
        ],
    }
