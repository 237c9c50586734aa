"""Groundswell's bottom layer: plumbing every app may use and that imports no app.

- api.py: the REST API's error shape (one exception handler), pagination, the
  X-Session-Token scheme in the schema;
- db.py: hot-path inserts (INSERT ... ON CONFLICT DO NOTHING, no savepoints);
- http.py: the client's address behind our proxies, and the keyed hash the site keeps of it;
- links.py: the signed ids in emailed links, read back with a clear message when they fail;
- ratelimit.py: fixed-window counters in the cache, one round trip on Redis, and the
  limits and caps built on them;
- throttling.py: the API's request throttle;
- forms.py: web forms meeting services' ValidationErrors, and input limits from columns;
- logging.py: the log filter that keeps personal data out of every log line.

Dependencies point down to here: organiser -> campaigns -> volunteers -> core. Nothing in
core imports an app or the project frame (config/).
"""
