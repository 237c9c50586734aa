from django.db import migrations

# The skills a pressure campaign usually asks for; organisers add more in the admin.
SKILLS = [
    ("design", "Design and memes"),
    ("video", "Video editing"),
    ("writing", "Writing"),
    ("seo", "SEO"),
    ("social-media", "Social media"),
    ("phone-banking", "Phone banking"),
    ("data", "Data and spreadsheets"),
    ("events", "Running events"),
    ("canvassing", "Canvassing"),
    ("translation", "Translation"),
]


def add_skills(apps, schema_editor):
    Skill = apps.get_model("volunteers", "Skill")
    for slug, name in SKILLS:
        Skill.objects.get_or_create(slug=slug, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0004_volunteer_profiles")]

    operations = [migrations.RunPython(add_skills, migrations.RunPython.noop)]
