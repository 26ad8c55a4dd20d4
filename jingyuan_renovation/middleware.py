"""Request-level guards that must run before anything reads the request body or renders a page."""

from django.conf import settings
from django.http import HttpResponse
from django.template import loader

# The app loads nothing from elsewhere (no CDN, fonts or scripts are vendored under static/), and no
# template holds inline script, style element or style attribute: the policy can say 'self' and nothing
# else. Django 5.2 has no CSP support of its own (6.0 adds it); one header does not need django-csp.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# Django's admin templates carry style attributes (widths, display:none); its scripts are files.
ADMIN_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def request_body_limit() -> int:
    """The largest request body accepted: the largest file any form takes, plus 1 MB for the other fields."""
    largest_file = max(settings.JINGYUAN_UPLOAD_MAX_BYTES, settings.JINGYUAN_DOCUMENT_MAX_MB * 1024 * 1024)
    return largest_file + 1024 * 1024


class RequestBodyLimitMiddleware:
    """Refuse a body over the limit from its Content-Length, before a byte of it is read.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not count files: a 600 MB upload was streamed to a
    temporary file for 12-19 s, then refused by the form. First in MIDDLEWARE, so neither CSRF nor
    the session touch the body or the database. The proxy in front should refuse it earlier still
    (client_max_body_size, docs/deploy.md)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = request_body_limit()
        if length > limit:
            # Gunicorn closes the connection after this answer instead of reading the rest of the body.
            body = loader.render_to_string("413.html", {"limit_mb": limit // (1024 * 1024),
                                                        "size_mb": round(length / 1024 / 1024, 1)})
            response = HttpResponse(body, status=413)
            response["Connection"] = "close"
            return response
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path.startswith("/admin/")
            response["Content-Security-Policy"] = ADMIN_CONTENT_SECURITY_POLICY if admin else CONTENT_SECURITY_POLICY
        return response
