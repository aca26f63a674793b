"""The crops every new garden's list starts with (members add their own)."""

DEFAULT_CROPS = [
    "Apples",
    "Beans",
    "Beetroot",
    "Carrots",
    "Chard",
    "Courgettes",
    "Cucumbers",
    "Garlic",
    "Herbs",
    "Kale",
    "Lettuce",
    "Onions",
    "Peas",
    "Potatoes",
    "Pumpkins",
    "Radishes",
    "Raspberries",
    "Spinach",
    "Strawberries",
    "Tomatoes",
]


def seed_crops(crop_model, garden_id: int) -> None:
    """Give a garden the starting crop list; works with a migration's historical model too."""
    have = {
        name.lower()
        for name in crop_model.objects.filter(garden_id=garden_id).values_list("name", flat=True)
    }
    crop_model.objects.bulk_create(
        [
            crop_model(garden_id=garden_id, name=name)
            for name in DEFAULT_CROPS
            if name.lower() not in have
        ]
    )
