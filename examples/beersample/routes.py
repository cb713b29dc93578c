"""The routes for beers and breweries: paged listings, prefix search, show, create, edit
(with the document's CAS in the form), delete, like and unlike.

``<otype>`` is ``beers`` or ``breweries``; every other value is a 404, as in the manual.
"""
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session, \
    url_for

from couchbase.exceptions import KeyExistsError, NotFoundError
from couchbase.views.params import Query

from .app import get_db, session_id, wants_json
from .fields import NAME_MAX, form_values
from .kinds import KINDS
from .models import BeerListRowProcessor, Brewery, count_of, like_marker, likes_key, slug, valid_key
from .paging import BadCursor, cursor, cursor_args, fetch_page

bp = Blueprint("objects", __name__)
OTYPE = "/<any(beers, breweries):otype>"


def _config(name):
    return current_app.config[name]


def _load(kind, docid):
    """The beer or brewery ``docid``, or a 404 that names it."""
    obj = kind.cls.from_result(docid, get_db().get(docid, quiet=True)) if valid_key(docid) else None
    if obj is None:
        abort(404, description="No such %s '%s'." % (kind.label, docid))
    return obj


def _page(design, view, row_processor, endpoint, low=None, high=None, **url_args):
    """A page of a listing, and the URLs of its neighbours."""
    try:
        start = cursor(request.args, "startkey")
        before = cursor(request.args, "before")
    except BadCursor as e:
        abort(400, description=str(e))
    bounds = {k: v for k, v in (("low", low), ("high", high)) if v is not None}
    page = fetch_page(get_db(), design, view, row_processor, _config("ENTRIES_PER_PAGE"), _config("VIEW_STALE"),
                      start=start, before=before, **bounds)
    next_url = url_for(endpoint, **url_args, **cursor_args("startkey", page.next)) if page.next else None
    prev_url = url_for(endpoint, **url_args, **cursor_args("before", page.prev)) if page.prev else None
    return page, next_url, prev_url


@bp.route(OTYPE)
def listing(otype):
    kind = KINDS[otype]
    page, next_url, prev_url = _page(kind.design, kind.view, kind.row_processor(), "objects.listing", otype=otype)
    return render_template("%s/index.html" % kind.label, kind=kind, page=page, next_url=next_url,
                           prev_url=prev_url)


@bp.route(OTYPE + "/search")
def search(otype):
    """JSON: the first ENTRIES_PER_PAGE names starting with ``value`` (a range query up
    to ``value + Query.STRING_RANGE_END``)."""
    kind = KINDS[otype]
    value = request.args.get("value")
    if value is None:
        abort(400, description="Give the beginning of a name as ?value=...")
    if len(value) > NAME_MAX:
        abort(400, description="A name is at most %d characters long." % NAME_MAX)
    q = Query(limit=_config("ENTRIES_PER_PAGE"), stale=_config("VIEW_STALE"))
    q.mapkey_range = [value, value + Query.STRING_RANGE_END]
    rows = get_db().query(kind.design, kind.view, row_processor=kind.row_processor(), query=q)
    return jsonify([kind.search_item(obj) for obj in rows])


def _with_likes(obj, extra=()):
    """Fill obj.likes/obj.liked and fetch ``extra`` keys, all in one get_multi."""
    marker = like_marker(session["sid"], obj.id) if session.get("sid") else None
    keys = [likes_key(obj.id)] + ([marker] if marker else []) + [k for k in extra if valid_key(k)]
    found = get_db().get_multi(list(dict.fromkeys(keys)), quiet=True)
    obj.likes = count_of(found[likes_key(obj.id)])
    obj.liked = bool(marker) and found[marker].success
    return found


def _brewery_beers(brewery_id):
    """The brewery's beers, paged, from the ``beer/brewery_beers`` view."""
    return _page("beer", "brewery_beers", BeerListRowProcessor(), "objects.show", low=[brewery_id, ""],
                 high=[brewery_id, {}], otype="breweries", docid=brewery_id)


def _has_beers(brewery_id):
    rows = get_db().query("beer", "brewery_beers", startkey=[brewery_id, ""], endkey=[brewery_id, {}], limit=1,
                          stale=_config("VIEW_STALE"))
    return any(True for _ in rows)


@bp.route(OTYPE + "/show/<docid>")
def show(otype, docid):
    kind = KINDS[otype]
    obj = _load(kind, docid)
    if otype == "beers":
        found = _with_likes(obj, [obj.brewery_id])
        brewery = Brewery.from_result(obj.brewery_id, found[obj.brewery_id]) if valid_key(obj.brewery_id) else None
        return render_template("beer/show.html", kind=kind, beer=obj, brewery=brewery)
    _with_likes(obj)
    page, next_url, prev_url = _brewery_beers(docid)
    return render_template("brewery/show.html", kind=kind, brewery=obj, beers=page, next_url=next_url,
                           prev_url=prev_url)


def _form(kind, status=200, **context):
    context.setdefault("errors", {})
    context.setdefault("obj", None)
    context.setdefault("conflict", None)
    context.setdefault("message", None)
    context.setdefault("existing", None)
    return render_template("%s/edit.html" % kind.label, kind=kind, **context), status


@bp.route(OTYPE + "/edit/<docid>", methods=["GET"])
def edit_display(otype, docid):
    kind = KINDS[otype]
    obj = _load(kind, docid)
    return _form(kind, obj=obj, values=form_values(obj, kind.form_fields), cas=obj.cas, is_create=False)


def _conflict(kind, docid, submitted):
    """409: the form again, filled with the version now stored, listing what differs."""
    current = _load(kind, docid)
    stored = form_values(current, kind.form_fields)
    mine = {f: submitted.get(f, "") for f in kind.form_fields}
    differences = {f: (mine[f], stored[f]) for f in kind.form_fields if mine[f] != stored[f]}
    return _form(kind, 409, obj=current, values=stored, cas=current.cas, is_create=False, conflict=differences)


@bp.route(OTYPE + "/edit/<docid>", methods=["POST"])
def edit_submit(otype, docid):
    kind = KINDS[otype]
    current = _load(kind, docid)
    try:
        cas = int(request.form.get("cas", ""))
    except ValueError:
        abort(400, description="The form does not say which version of this %s it edits. "
                               "Open the edit page again." % kind.label)
    doc, errors, values = kind.normalize(request.form, get_db())
    if cas != current.cas:
        return _conflict(kind, docid, values)
    if errors:
        return _form(kind, 400, obj=current, values=values, errors=errors, cas=cas, is_create=False)
    merged = dict(current.doc)
    merged.update(doc)
    merged = {k: v for k, v in merged.items() if v is not None}
    try:
        get_db().replace(docid, merged, cas=cas)
    except KeyExistsError:
        return _conflict(kind, docid, values)
    except NotFoundError:
        abort(404, description="This %s was deleted while you were editing it." % kind.label)
    flash("Saved your changes to %s." % merged["name"], "success")
    return redirect(url_for("objects.show", otype=otype, docid=docid), 303)


@bp.route(OTYPE + "/create", methods=["GET"])
def create_display(otype):
    kind = KINDS[otype]
    values = {f: "" for f in kind.form_fields}
    values["brewery_id"] = request.args.get("brewery_id", "")
    return _form(kind, values=values, cas="", is_create=True)


@bp.route(OTYPE + "/create", methods=["POST"])
def create_submit(otype):
    kind = KINDS[otype]
    doc, errors, values = kind.normalize(request.form, get_db())
    docid = kind.make_id(doc) if doc else ""
    if doc and not slug(doc["name"]):
        errors["name"] = "The name needs at least one letter or digit."
    elif doc and len(docid.encode("utf-8")) > 250:
        errors["name"] = "The name is too long to make an id of."
    if errors:
        return _form(kind, 400, values=values, errors=errors, cas="", is_create=True)
    try:
        get_db().add(docid, doc)
    except KeyExistsError:
        message = "A %s with the id '%s' already exists." % (kind.label, docid)
        return _form(kind, 400, values=values, cas="", is_create=True, message=message, existing=docid)
    flash("Created %s." % doc["name"], "success")
    return redirect(url_for("objects.show", otype=otype, docid=docid), 303)


@bp.route(OTYPE + "/delete/<docid>", methods=["GET", "POST"])
def delete_object(otype, docid):
    """GET asks for confirmation; POST deletes. A brewery that still has beers stays."""
    kind = KINDS[otype]
    obj = _load(kind, docid)
    refusal = None
    if otype == "breweries" and _has_beers(docid):
        refusal = ("%s still has beers. Delete its beers (or move them to another brewery) "
                   "before deleting the brewery." % obj.name)
    if request.method == "GET" or refusal:
        status = 409 if refusal and request.method == "POST" else 200
        return render_template("delete.html", kind=kind, obj=obj, refusal=refusal), status
    try:
        get_db().delete(docid)
    except NotFoundError:
        abort(404, description="No such %s '%s'." % (kind.label, docid))
    get_db().delete(likes_key(docid), quiet=True)
    flash("Deleted %s %s." % (kind.label, obj.name), "success")
    return redirect(url_for("objects.listing", otype=otype), 303)


def _like(otype, docid, liking):
    kind = KINDS[otype]
    obj = _load(kind, docid)
    db = get_db()
    marker = like_marker(session_id(), docid)
    if liking:
        try:
            db.add(marker, 1)
        except KeyExistsError:
            pass  # this session likes it already
        else:
            db.incr(likes_key(docid), initial=1)
    else:
        try:
            db.delete(marker)
        except NotFoundError:
            pass  # this session does not like it
        else:
            db.decr(likes_key(docid), initial=0)
    _with_likes(obj)
    if wants_json():
        return jsonify(id=docid, likes=obj.likes, liked=obj.liked)
    return redirect(url_for("objects.show", otype=otype, docid=docid), 303)


@bp.route(OTYPE + "/like/<docid>", methods=["POST"])
def like(otype, docid):
    return _like(otype, docid, True)


@bp.route(OTYPE + "/unlike/<docid>", methods=["POST"])
def unlike(otype, docid):
    return _like(otype, docid, False)

