"""Keyword rows beside the ledger and the vocabulary of misspellings (the full-text parts: 0007)."""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ai_assistant", "0005_indexeddocument_text_and_metadata_hash"),
    ]

    operations = [
        migrations.CreateModel(
            name="KeywordRow",
            fields=[
                (
                    "document",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="ai_assistant.indexeddocument",
                    ),
                ),
                ("collection", models.CharField(max_length=128)),
                ("doc_id", models.CharField(max_length=64)),
                ("doc_type", models.CharField(max_length=32)),
                ("category_id", models.BigIntegerField(null=True)),
                ("price", models.FloatField(null=True)),
                ("in_stock", models.BooleanField(null=True)),
                ("name", models.TextField()),
                ("labels", models.TextField(blank=True, default="")),
                ("body", models.TextField(blank=True, default="")),
                ("name_key", models.TextField(blank=True, default="")),
                ("option_keys", models.TextField(blank=True, default="")),
                ("search", django.contrib.postgres.search.SearchVectorField(null=True)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["collection", "doc_type"], name="keyword_row_type"),
                    models.Index(fields=["collection", "category_id"], name="keyword_row_category"),
                    models.Index(fields=["collection", "name_key"], name="keyword_row_name_key"),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("collection", "doc_id"), name="keyword_row_unique_per_collection")
                ],
            },
        ),
        migrations.CreateModel(
            name="KeywordTerm",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("collection", models.CharField(max_length=128)),
                ("term", models.CharField(max_length=64)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("collection", "term"), name="keyword_term_unique_per_collection")
                ],
            },
        ),
    ]
