"""The chat history in the Django admin: sessions with their messages inline, read-only."""

from __future__ import annotations

import pytest

from apps.ai_assistant.models import ChatSession

pytestmark = pytest.mark.django_db


def test_session_list_and_page_show_the_conversation(demo_catalog, chat, admin_client):
    data = chat("can I have red rims with fat bike wheels?")

    listing = admin_client.get("/admin/ai_assistant/chatsession/")
    assert listing.status_code == 200
    assert data["session_id"] in listing.content.decode()

    page = admin_client.get(f"/admin/ai_assistant/chatsession/{data['session_id']}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "can I have red rims with fat bike wheels?" in html
    assert "Fat bike wheels are not available with red rims." in html
    assert admin_client.get("/admin/ai_assistant/chatsession/add/").status_code == 403


def test_sessions_can_be_deleted_with_their_messages(demo_catalog, chat, admin_client):
    data = chat("hello")
    response = admin_client.post(f"/admin/ai_assistant/chatsession/{data['session_id']}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not ChatSession.objects.exists()
