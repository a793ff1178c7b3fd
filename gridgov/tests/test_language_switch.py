"""The language menu names each language in itself (English, 简体中文), whatever the page's."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["zh-hans", "en"])
def test_language_menu_uses_native_names(client, accept):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert ">English</option>" in page and ">简体中文</option>" in page
