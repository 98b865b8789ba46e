"""Two hashes per ledger row (issue 11): the embedded text's and the metadata's.

The data step fills them for existing rows from the text and metadata the row stores, with the same
functions the writer uses, so the first sync after the upgrade compares like with like: a document whose
text is unchanged is not embedded again (one whose text moved to the new layout is, once; the blue/green
rebuild `manage.py rebuild_ai_index` does that without downtime, see docs/search.md).
"""

import hashlib
import json

from django.db import migrations, models

BATCH = 2000


def fill_hashes(apps, schema_editor):
    IndexedDocument = apps.get_model("ai_assistant", "IndexedDocument")
    rows = IndexedDocument.objects.filter(text_hash="").only("pk", "text", "metadata").order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        for row in batch:
            # Same digests as indexing/documents/base.py (text_digest, metadata_digest); copied here because
            # a migration must not change when that module does.
            row.text_hash = hashlib.sha256(row.text.encode("utf-8")).hexdigest()
            payload = json.dumps(row.metadata or {}, sort_keys=True, ensure_ascii=False)
            row.metadata_hash = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        IndexedDocument.objects.bulk_update(batch, ["text_hash", "metadata_hash"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("ai_assistant", "0004_chatsession_owner"),
    ]

    operations = [
        migrations.AddField(
            model_name="indexeddocument",
            name="text_hash",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.AddField(
            model_name="indexeddocument",
            name="metadata_hash",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.RunPython(fill_hashes, migrations.RunPython.noop, elidable=True),
    ]
