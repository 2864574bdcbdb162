"""The HTML of the login and logout pages, and the small bar the Geppetto page gets in
accounts mode (who is logged in, a way to log in or out). Jinja autoescapes every value."""

from __future__ import annotations

__all__ = ["BAR", "LOGIN_PAGE", "LOGOUT_PAGE"]

_STYLE = """<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem;
color:#222}
h1{font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.45rem;
font:inherit;border:1px solid #bbb;border-radius:4px}
button{margin-top:1.2rem;padding:.5rem 1.2rem;font:inherit;border:0;border-radius:4px;
background:#fc6320;color:#fff;cursor:pointer}
.error{background:#fde8e4;color:#8b1c1c;padding:.6rem .8rem;border-radius:4px}
</style>"""

LOGIN_PAGE = (
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Log in - Geppetto</title>
<meta name="viewport" content="width=device-width,initial-scale=1">"""
    + _STYLE
    + """</head><body>
<h1>Log in to Geppetto</h1>
{% if current %}<p>You are logged in as <b>{{ current }}</b>.
<a href="{{ next }}">Go on</a>, or log in as someone else below.</p>{% endif %}
{% if error %}<p class="error" role="alert">{{ error }}</p>{% endif %}
<form method="post" action="{{ action }}">
{{ form.csrf_token }}{{ form.next(value=next) }}
<label for="username">User name</label>
{{ form.username(autocomplete="username", autofocus=true, required=true) }}
<label for="password">Password</label>
{{ form.password(autocomplete="current-password", required=true) }}
<button type="submit">Log in</button>
</form>
</body></html>
"""
)

LOGOUT_PAGE = (
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Log out - Geppetto</title>"""
    + _STYLE
    + """</head><body>
<h1>Log out</h1>
{% if error %}<p class="error" role="alert">{{ error }}</p>{% endif %}
{% if current %}<p>You are logged in as <b>{{ current }}</b>.</p>
<form method="post" action="{{ action }}">{{ form.csrf_token }}{{ form.next(value=next) }}
<button type="submit">Log out</button></form>
{% else %}<p>You are not logged in. <a href="{{ login }}">Log in</a></p>{% endif %}
</body></html>
"""
)

# Fixed in the bottom right corner of the Geppetto page (above the inspector link), where the
# 0.3.8 and geppetto-meta pages have no controls.
BAR = """<div id="geppetto-dev-account" style="position:fixed;right:8px;bottom:26px;z-index:1000;
font:12px system-ui,sans-serif;color:#9aa5ad;background:rgba(0,0,0,.45);padding:2px 8px;
border-radius:4px">{% if current %}{{ current }} &middot;
<form method="post" action="{{ logout }}" style="display:inline">{{ form.csrf_token }}
{{ form.next(value=here) }}<button type="submit" style="background:none;border:0;padding:0;
color:#fc6320;font:inherit;cursor:pointer">Log out</button></form>{% else %}
<a href="{{ login }}?next={{ here|urlencode }}" style="color:#fc6320">Log in</a>{% endif %}</div>
"""
