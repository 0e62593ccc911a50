"""Reviews (one per user per movie), comments, upvotes, rating summaries.

    r = tix.Review.write(db, movie, user, rating=8, text="Loved it")
    for r in movie.reviews(order="helpful"):   # an iterator over pages
        ...
    r.upvote(other_user); r.comment(other_user, "Agreed")
    movie.rating_summary()  -> {"count", "sum", "mean", "histogram"}

created_at / updated_at are aware UTC datetimes.
"""
from __future__ import annotations

import enum
from typing import (TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Tuple,
                    Type, Union)

from ._ffi import ffi, lib
from . import _util
from ._util import IdLike, Keep, as_id, dec, dec_array
from .catalog import Record
from .discover import require
from .errors import InvalidArgument

if TYPE_CHECKING:
    from .db import Database

RATING_MIN = lib.TIX_RATING_MIN
RATING_MAX = lib.TIX_RATING_MAX
PAGE_MAX = lib.TIX_REVIEW_PAGE_MAX


class ReviewOrder(enum.IntEnum):
    """Review listing order: newest first, or most upvoted first."""
    NEWEST = lib.TIX_REVIEWS_NEWEST
    HELPFUL = lib.TIX_REVIEWS_HELPFUL


def _order(o: Union[str, int, ReviewOrder]) -> ReviewOrder:
    if isinstance(o, str):
        try:
            return ReviewOrder[o.upper()]
        except KeyError:
            raise InvalidArgument("order must be 'newest' or 'helpful'") from None
    return ReviewOrder(o)


class Review(Record):
    """A user's rating (1..10) and text for a movie. verified is True when
    the user holds a confirmed booking for the movie."""
    _fields = ("id", "movie_id", "user_id", "rating", "text", "created_at",
               "updated_at", "helpful", "verified")
    _ctype = "tix_review"
    _get = "tix_review_get"

    @classmethod
    def _from_c(cls, db: Database, c: Any) -> Review:  # type: ignore[override]
        return cls(db, id=c.id, movie_id=c.movie_id, user_id=c.user_id,
                   rating=c.rating, text=dec(c.text),
                   created_at=_util.utc(c.created_at),
                   updated_at=_util.utc(c.updated_at), helpful=c.helpful,
                   verified=bool(c.verified))

    @classmethod
    def get(cls, db: Database, id: IdLike) -> Review:  # type: ignore[override]
        """Review @id (tix.NotFound)."""
        require("tix_review_get")
        return cls._fetch(db, id)

    @classmethod
    def write(cls, db: Database, movie: IdLike, user: IdLike, rating: int,
              text: str = "") -> Review:
        """Creates the user's review of the movie, or replaces its rating and
        text when there is one (id, creation time and upvotes kept)."""
        require("tix_review_create")
        keep = Keep()
        c = keep.hold(ffi.new("tix_review *"))
        c.movie_id = as_id(movie, "movie")
        c.user_id = as_id(user, "user")
        c.rating = _util.as_u32(rating, "rating")
        c.text = keep.str(text, "text")
        out = ffi.new("tix_id *")
        db._call("tix_review_create", c, out)
        return cls.get(db, out[0])

    create = write

    @classmethod
    def find(cls, db: Database, user: IdLike, movie: IdLike) -> Review:
        """The review @user wrote for @movie (tix.NotFound)."""
        require("tix_review_find")
        out = ffi.new("tix_review **")
        db._call("tix_review_find", as_id(user, "user"), as_id(movie, "movie"),
                 out)
        try:
            return cls._from_c(db, out[0])
        finally:
            lib.tix_review_free(out[0])

    def update(self, rating: Optional[int] = None,  # type: ignore[override]
               text: Optional[str] = None) -> Review:
        """Changes rating and/or text (same as writing it again)."""
        Review.write(self._db, self.movie_id, self.user_id,
                     self.rating if rating is None else rating,
                     self.text if text is None else text)
        return self._refresh()

    def delete(self) -> None:
        """Deletes the review with its comments and upvotes."""
        self._db._call("tix_review_delete", self.id)

    def upvote(self, user: IdLike) -> Review:
        """Counts @user's upvote (once per user); returns the refreshed
        review."""
        self._db._call("tix_review_upvote", self.id, as_id(user, "user"))
        return self._refresh()

    def unvote(self, user: IdLike) -> Review:
        """Takes @user's upvote back; returns the refreshed review."""
        self._db._call("tix_review_unvote", self.id, as_id(user, "user"))
        return self._refresh()

    def comment(self, user: IdLike, text: str,
                parent: Optional[IdLike] = None) -> Comment:
        """Comments on the review (or replies to comment @parent)."""
        return Comment.create(self._db, self, user, text, parent)

    def comments(self) -> List[Comment]:
        """The review's comment thread."""
        return Comment.list(self._db, self.id)

    @classmethod
    def page(cls, db: Database, movie: IdLike, order: str = "newest",
             cursor: Optional[str] = None,
             limit: int = 0) -> Tuple[List[Review], str]:
        """One page: (reviews, next_cursor); next_cursor is "" on the last."""
        require("tix_review_list_by_movie")
        out = ffi.new("tix_review_list **")
        nxt = ffi.new("char[]", lib.TIX_REVIEW_CURSOR_MAX)
        db._call("tix_review_list_by_movie", as_id(movie, "movie"),
                 int(_order(order)), _util.arg(cursor or None, "cursor"),
                 limit, out, nxt)
        p = out[0]
        try:
            return ([cls._from_c(db, p.items[i]) for i in range(p.count)],
                    dec_array(nxt))
        finally:
            lib.tix_review_list_free(p)

    @classmethod
    def list(cls, db: Database, movie: IdLike, order: str = "newest",
             page: int = 20) -> Iterator[Review]:
        """Iterator over every review of @movie, fetched @page at a time
        (each page is copied and freed before its reviews are yielded)."""
        cursor = None
        while True:
            items, cursor = cls.page(db, movie, order, cursor, page)
            yield from items
            if not cursor:
                return


class Comment(Record):
    """A comment on a review (parent_id 0) or a reply to such a comment."""
    _fields = ("id", "review_id", "parent_id", "user_id", "text", "created_at")

    @classmethod
    def _from_c(cls, db: Database, c: Any) -> Comment:  # type: ignore[override]
        return cls(db, id=c.id, review_id=c.review_id, parent_id=c.parent_id,
                   user_id=c.user_id, text=dec(c.text),
                   created_at=_util.utc(c.created_at))

    @classmethod
    def create(cls, db: Database, review: IdLike, user: IdLike, text: str,
               parent: Optional[IdLike] = None) -> Comment:
        """Comments on @review, or replies to comment @parent."""
        require("tix_comment_create")
        keep = Keep()
        c = keep.hold(ffi.new("tix_comment *"))
        c.review_id = as_id(review, "review")
        c.parent_id = as_id(parent, "parent", allow_none=True)
        c.user_id = as_id(user, "user")
        c.text = keep.str(text, "text", allow_none=False)
        out = ffi.new("tix_id *")
        db._call("tix_comment_create", c, out)
        new_id = out[0]
        for x in cls.list(db, c.review_id):
            if x.id == new_id:
                return x
        return cls(db, id=new_id, review_id=c.review_id, parent_id=c.parent_id,
                   user_id=c.user_id, text=text,
                   created_at=db.now_datetime())

    @classmethod
    def list(cls, db: Database, review: IdLike) -> List[Comment]:
        """The thread: each top-level comment followed by its replies."""
        require("tix_comment_list_by_review")
        out = ffi.new("tix_comment_list **")
        db._call("tix_comment_list_by_review", as_id(review, "review"), out)
        lst = out[0]
        try:
            return [cls._from_c(db, lst.items[i]) for i in range(lst.count)]
        finally:
            lib.tix_comment_list_free(lst)

    def delete(self) -> None:
        """Deletes the comment (a top-level one with its replies)."""
        self._db._call("tix_comment_delete", self.id)

    def reply(self, user: IdLike, text: str) -> Comment:
        """Replies to this comment."""
        return Comment.create(self._db, self.review_id, user, text, self.id)


def rating_summary(db: Database, movie: IdLike) -> Dict[str, Any]:
    """{"movie_id", "count", "sum", "mean", "histogram": [n rating 1, ...,
    n rating 10]} -- exact, kept in the transaction of every change."""
    require("tix_rating_summary_get")
    out = ffi.new("tix_rating_summary *")
    db._call("tix_rating_summary_get", as_id(movie, "movie"), out)
    return {"movie_id": out.movie_id, "count": out.count, "sum": out.sum,
            "mean": out.mean,
            "histogram": [out.histogram[i] for i in range(RATING_MAX)]}
