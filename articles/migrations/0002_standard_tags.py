from django.db import migrations
from django.utils.text import slugify

# The newsroom's standard tag vocabulary. The importer splits run-together tag
# lines ("INTERNATIONAL TRADEAUTOMOTIVE INDUSTRY") against the tags in the
# database, so a fresh site must already know these.
STANDARD_TAGS = [
    "Artificial Intelligence",
    "Automotive Industry",
    "Corporate Earnings",
    "Electric Vehicles",
    "Energy Transition",
    "International Trade",
    "Investment",
    "Manufacturing",
    "Supply Chains",
    "Technology",
    "Trade Policy",
]


def create_standard_tags(apps, schema_editor):
    Tag = apps.get_model("articles", "Tag")
    for name in STANDARD_TAGS:
        Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})


def remove_unused_standard_tags(apps, schema_editor):
    Tag = apps.get_model("articles", "Tag")
    Tag.objects.filter(
        slug__in=[slugify(name) for name in STANDARD_TAGS], tagged_articles__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(create_standard_tags, remove_unused_standard_tags)]
