"""Keyword rows (and the vocabulary) for the ledger rows written before keyword rows existed.

Without them an upgraded index would answer keyword searches with nothing until its next rebuild. The row
layout is the one of retrieval/keyword_rows.py at the time of writing, copied here because a migration must
not change when that module does.
"""

import re
import unicodedata

from django.db import migrations

WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
BATCH = 1000


def _words(text):
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return WORD.findall("".join(char for char in text if not unicodedata.combining(char)))


def _key(text):
    return " ".join(_words(text))


def fill(apps, schema_editor):
    Ledger = apps.get_model("ai_assistant", "IndexedDocument")
    KeywordRow = apps.get_model("ai_assistant", "KeywordRow")
    KeywordTerm = apps.get_model("ai_assistant", "KeywordTerm")
    last = 0
    while True:
        batch = list(Ledger.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            break
        rows, terms = [], set()
        for ledger in batch:
            meta = ledger.metadata or {}
            options = [option for option in str(meta.get("options", "")).split(" | ") if option]
            labels = ", ".join([*options, str(meta.get("category", ""))]).strip(", ")
            keys = "|" + "|".join(_key(o) for o in options) + "|" if ledger.doc_type == "part" and options else ""
            price = meta.get("price")
            row = KeywordRow(
                document_id=ledger.pk,
                collection=ledger.collection,
                doc_id=ledger.doc_id,
                doc_type=ledger.doc_type,
                category_id=meta.get("category_id"),
                price=float(price) if price is not None else None,
                in_stock=meta.get("in_stock"),
                name=str(meta.get("name", "")),
                labels=labels,
                body=f"{ledger.text} {meta.get('facts', '')}".strip(),
                name_key=_key(str(meta.get("name", ""))),
                option_keys=keys,
            )
            rows.append(row)
            words = _words(f"{row.name} {row.labels} {row.body}")
            terms |= {(ledger.collection, w) for w in words if 4 <= len(w) <= 40 and w.isalpha()}
        KeywordRow.objects.bulk_create(rows, ignore_conflicts=True)
        KeywordTerm.objects.bulk_create(
            [KeywordTerm(collection=c, term=t) for c, t in sorted(terms)], ignore_conflicts=True, batch_size=500
        )
        last = batch[-1].pk
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE ai_assistant_keywordrow SET search = "
            "setweight(to_tsvector('english'::regconfig, unaccent(name)), 'A') || "
            "setweight(to_tsvector('english'::regconfig, unaccent(labels)), 'B') || "
            "setweight(to_tsvector('english'::regconfig, unaccent(body)), 'C') WHERE search IS NULL"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("ai_assistant", "0007_keyword_full_text"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
