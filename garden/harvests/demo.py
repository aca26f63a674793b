"""Demo harvests: two seasons across the garden's crops, some given to the food bank."""

import datetime
import random
from decimal import Decimal

from .defaults import seed_crops
from .models import Crop, HarvestLog
from .services import normalise, today
from .totals import logs_changed

# crop: (months it is harvested, unit, smallest and largest usual quantity)
SEASONALITY = {
    "Radishes": ((4, 5, 6, 9), "bunches", 1, 4),
    "Spinach": ((4, 5, 9, 10), "g", 150, 800),
    "Lettuce": ((5, 6, 7, 8, 9), "pieces", 1, 4),
    "Strawberries": ((6, 7), "g", 200, 1500),
    "Peas": ((6, 7), "kg", Decimal("0.3"), Decimal("1.5")),
    "Herbs": ((5, 6, 7, 8, 9), "bunches", 1, 3),
    "Courgettes": ((7, 8, 9), "pieces", 1, 5),
    "Beans": ((7, 8, 9), "kg", Decimal("0.4"), Decimal("2.5")),
    "Cucumbers": ((7, 8, 9), "pieces", 1, 6),
    "Tomatoes": ((7, 8, 9, 10), "kg", Decimal("0.5"), Decimal("4.0")),
    "Raspberries": ((7, 8, 9), "g", 150, 900),
    "Potatoes": ((8, 9, 10), "kg", Decimal("2.0"), Decimal("12.0")),
    "Carrots": ((7, 8, 9, 10), "kg", Decimal("0.5"), Decimal("3.0")),
    "Beetroot": ((8, 9, 10), "kg", Decimal("0.5"), Decimal("2.5")),
    "Onions": ((8, 9), "kg", Decimal("1.0"), Decimal("5.0")),
    "Pumpkins": ((9, 10), "pieces", 1, 3),
    "Kale": ((10, 11), "kg", Decimal("0.3"), Decimal("1.5")),
    "Apples": ((9, 10), "kg", Decimal("2.0"), Decimal("15.0")),
}
RECIPIENTS = ["Tafel Kreuzberg (food bank)", "Neighbourhood café", "Kita Sonnenblume"]
PLOTS = [f"{row}{number}" for row in "ABC" for number in range(1, 9)]


def _quantity(rng: random.Random, low, high) -> Decimal:
    if isinstance(low, int) and isinstance(high, int):
        return Decimal(rng.randint(low, high))
    return Decimal(str(round(rng.uniform(float(low), float(high)), 1)))


def seed(garden, users) -> None:
    gardeners = [users[name] for name in sorted(users) if name.startswith("member")]
    gardeners.append(users["coordinator"])
    if HarvestLog.objects.filter(garden=garden, harvested_by__in=gardeners).exists():
        return
    seed_crops(Crop, garden.pk)
    crops = {crop.name: crop for crop in Crop.objects.filter(garden=garden)}
    rng = random.Random(2025)
    last_day = today(garden)
    logs = []
    for season, per_day in ((last_day.year - 1, 0.9), (last_day.year, 1.4)):
        day = datetime.date(season, 4, 1)
        while day <= min(datetime.date(season, 11, 30), last_day):
            ripe = [name for name, spec in SEASONALITY.items() if day.month in spec[0]]
            for _count in range(int(per_day) + (rng.random() < per_day % 1)):
                if not ripe:
                    break
                name = rng.choice(ripe)
                _months, unit, low, high = SEASONALITY[name]
                quantity = _quantity(rng, low, high)
                donated = rng.random() < 0.15
                logs.append(
                    HarvestLog(
                        garden=garden,
                        crop=crops[name],
                        harvested_by=rng.choice(gardeners),
                        date=day,
                        quantity=quantity,
                        unit=unit,
                        plot_label=rng.choice(PLOTS),
                        donated_to=rng.choice(RECIPIENTS) if donated else "",
                        **normalise(quantity, unit),
                    )
                )
            day += datetime.timedelta(days=1)
    HarvestLog.objects.bulk_create([log.set_derived() for log in logs], batch_size=500)
    logs_changed(garden.pk)  # bulk_create sends no signals
