// bytes.c - bytes (immutable, hashable) and bytearray (mutable) sequences of small ints.
//
// A MiniBytes keeps its bytes inline after the header, NUL-terminated for convenience, with a
// cached hash; a MiniByteArray owns a separately allocated buffer (data, size, cap) so it can
// grow in place. Neither holds references to other objects, so neither is a GC container.
//
// Most methods are shared: they read their receiver through bytes_buffer() and build a result
// of the receiver's kind (bytes for bytes, bytearray for bytearray) with make_like(), so each
// algorithm exists once. The one-byte bytes objects and b'' are immortal and cached in
// mini_runtime (str_init makes them), so b'abc'[0:1] and friends allocate nothing.
//
// Ownership: every function here that returns a MiniObject * returns a new reference, or NULL
// with an exception pending (methods and slots included), unless its comment says otherwise;
// arguments are borrowed. The cached immortal objects may be returned without an INCREF, which
// is the same thing for an immortal.

#include "str_internal.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "../vm/vm.h"

// ---------------------------------------------------------------------------------------------
// Construction helpers
// ---------------------------------------------------------------------------------------------

MiniObject *bytes_new(const char *data, size_t size) {
    if (size == 0 && mini_runtime.empty_bytes)
        return mini_runtime.empty_bytes;
    if (size == 1 && mini_runtime.byte_bytes[0])
        return mini_runtime.byte_bytes[(unsigned char)data[0]];
    if (size > SIZE_MAX - sizeof(MiniBytes) - 1)
        return mini_raise_memory();
    MiniBytes *b = (MiniBytes *)mini_alloc(&mini_bytes_type, sizeof(MiniBytes) + size + 1);
    if (!b)
        return NULL;
    b->hash = -1;
    b->size = size;
    if (size)
        memcpy(b->data, data, size);
    b->data[size] = '\0';
    return (MiniObject *)b;
}

// A fresh bytes object of [size] bytes for the caller to fill. New reference.
static MiniObject *bytes_alloc(size_t size) {
    if (size > SIZE_MAX - sizeof(MiniBytes) - 1)
        return mini_raise_memory();
    MiniBytes *b = (MiniBytes *)mini_alloc(&mini_bytes_type, sizeof(MiniBytes) + size + 1);
    if (!b)
        return NULL;
    b->hash = -1;
    b->size = size;
    b->data[size] = '\0';
    return (MiniObject *)b;
}

// Makes room for [cap] bytes in a bytearray's buffer. False with MemoryError.
static bool ba_reserve(MiniByteArray *a, size_t cap) {
    if (cap <= a->cap && a->data)
        return true;
    if (cap > MINI_MAX_ALLOC) {
        mini_raise_memory();
        return false;
    }
    size_t ncap = a->cap < 16 ? 16 : a->cap;
    while (ncap < cap)
        ncap = ncap > SIZE_MAX / 2 ? cap : ncap * 2;
    char *p = mini_realloc(a->data, ncap + 1);
    if (!p)
        return false;
    a->data = p;
    a->cap = ncap;
    return true;
}

// Sets a bytearray's contents to a copy of [size] bytes (NULL: zeros). False on error.
static bool ba_assign(MiniByteArray *a, const char *data, size_t size) {
    if (!ba_reserve(a, size))
        return false;
    if (size) {
        if (data)
            memmove(a->data, data, size);
        else
            memset(a->data, 0, size);
    }
    a->size = size;
    if (a->data)
        a->data[size] = '\0';
    return true;
}

MiniObject *bytearray_new(const char *data, size_t size) {
    MiniByteArray *a = (MiniByteArray *)mini_type_alloc(&mini_bytearray_type, 0);
    if (!a)
        return NULL;
    if (!ba_assign(a, data, size)) {
        MINI_DECREF(a);
        return NULL;
    }
    return (MiniObject *)a;
}

bool bytes_buffer(MiniObject *o, const char **data, size_t *size) {
    if (!MINI_IS_PTR(o))
        return false;
    if (mini_isinstance_type(o, &mini_bytes_type)) {
        *data = ((MiniBytes *)o)->data;
        *size = ((MiniBytes *)o)->size;
        return true;
    }
    if (mini_isinstance_type(o, &mini_bytearray_type)) {
        MiniByteArray *a = (MiniByteArray *)o;
        *data = a->data ? a->data : "";
        *size = a->size;
        return true;
    }
    return false;
}

MiniObject *bytes_stable(MiniObject *o) {
    if (bytes_check(o))
        return mini_newref(o);
    if (bytearray_check(o)) {
        MiniByteArray *a = (MiniByteArray *)o;
        return bytes_new(a->data ? a->data : "", a->size);
    }
    return mini_raise(mini_exc_TypeError, "a bytes-like object is required, not '%s'",
                      mini_type_name(o));
}

static bool is_bytearray(MiniObject *o) { return bytearray_check(o); }

// A result of the same kind as [self]: bytes for bytes, bytearray for bytearray. New ref.
static MiniObject *make_like(MiniObject *self, const char *data, size_t size) {
    return is_bytearray(self) ? bytearray_new(data, size) : bytes_new(data, size);
}

// The receiver's contents (self is always bytes-like in these methods).
#define BUF(self, d, n)                                                                          \
    const char *d = "";                                                                          \
    size_t n = 0;                                                                                \
    bytes_buffer((self), &d, &n)

static const char *tname(MiniObject *self) { return is_bytearray(self) ? "bytearray" : "bytes"; }

// Reads a byte value (an int 0..255) from [o]. False with TypeError or ValueError.
static bool as_byte(MiniObject *o, unsigned char *out) {
    if (!int_check(o) && !mini_type(o)->nb_index) {
        mini_raise(mini_exc_TypeError, "'%s' object cannot be interpreted as an integer",
                   mini_type_name(o));
        return false;
    }
    MiniObject *i = mini_index(o);
    if (!i)
        return false;
    int64_t v;
    bool ok = int_as_i64(i, &v);
    MINI_DECREF(i);
    if (!ok || v < 0 || v > 255) {
        mini_error_clear();
        mini_raise_str(mini_exc_ValueError, "byte must be in range(0, 256)");
        return false;
    }
    *out = (unsigned char)v;
    return true;
}

// Collects the bytes of an iterable of ints (or a bytes-like object) into [b]. [what] names
// the type for the range error ("bytes must be in range(0, 256)" for bytes()).
static bool collect_ints(StrBuf *b, MiniObject *iterable, const char *range_msg) {
    const char *d;
    size_t n;
    if (bytes_buffer(iterable, &d, &n)) {
        strbuf_add(b, d, n);
        return !b->failed;
    }
    MiniObject *it = mini_iter(iterable);
    if (!it)
        return false;
    MiniObject *x;
    while ((x = mini_next(it))) {
        unsigned char c;
        bool ok = as_byte(x, &c);
        MINI_DECREF(x);
        if (!ok) {
            if (range_msg && mini_error_matches(mini_exc_ValueError)) {
                mini_error_clear();
                mini_raise_str(mini_exc_ValueError, range_msg);
            }
            MINI_DECREF(it);
            return false;
        }
        strbuf_addc(b, (char)c);
    }
    MINI_DECREF(it);
    return !mini_error_occurred() && !b->failed;
}

// The contents for bytes(source, encoding, errors) / bytearray(...), into [b].
static bool constructor_contents(StrBuf *b, MiniObject *src, MiniObject *enc, MiniObject *err,
                                 bool bytearray) {
    if (enc && !str_check(enc)) {
        mini_raise(mini_exc_TypeError, "%s() argument 'encoding' must be str, not %s",
                   bytearray ? "bytearray" : "bytes", clinic_type_name(enc));
        return false;
    }
    if (err && !str_check(err)) {
        mini_raise(mini_exc_TypeError, "%s() argument 'errors' must be str, not %s",
                   bytearray ? "bytearray" : "bytes", clinic_type_name(err));
        return false;
    }
    if (!src) {
        if (enc || err) {
            mini_raise_str(mini_exc_TypeError, enc ? "encoding without a string argument"
                                                   : "errors without a string argument");
            return false;
        }
        return true;
    }
    if (str_check(src)) {
        if (!enc) {
            mini_raise_str(mini_exc_TypeError, "string argument without an encoding");
            return false;
        }
        MiniObject *e = str_encode(src, enc, err);
        if (!e)
            return false;
        strbuf_add(b, ((MiniBytes *)e)->data, ((MiniBytes *)e)->size);
        MINI_DECREF(e);
        return !b->failed;
    }
    if (enc || err) {
        mini_raise_str(mini_exc_TypeError, enc ? "encoding without a string argument"
                                               : "errors without a string argument");
        return false;
    }
    if (int_check(src) || (mini_type(src)->nb_index && !float_check(src))) {
        ssize_t n = mini_as_ssize(src);
        if (n == -1 && mini_error_occurred())
            return false;
        if (n < 0) {
            mini_raise_str(mini_exc_ValueError, "negative count");
            return false;
        }
        if ((size_t)n > MINI_MAX_ALLOC) {
            mini_raise_memory();
            return false;
        }
        for (ssize_t i = 0; i < n && !b->failed; i++)
            strbuf_addc(b, 0);
        return !b->failed;
    }
    const char *d;
    size_t n;
    if (bytes_buffer(src, &d, &n)) {
        strbuf_add(b, d, n);
        return !b->failed;
    }
    if (!mini_type(src)->iter && !mini_type(src)->getitem) {
        mini_raise(mini_exc_TypeError, "cannot convert '%s' object to %s", mini_type_name(src),
                   bytearray ? "bytearray" : "bytes");
        return false;
    }
    return collect_ints(b, src, bytearray ? "byte must be in range(0, 256)"
                                          : "bytes must be in range(0, 256)");
}

// A bytes object of [type] (bytes or a subclass) holding a copy of [size] bytes. New ref.
static MiniObject *bytes_of_type(MiniType *type, const char *data, size_t size) {
    if (type == &mini_bytes_type)
        return bytes_new(data, size);
    // A subclass instance: the bytes inline after the subclass's layout.
    // Room for the bytes, and for the subclass's fields after them (varsize_field_ptr).
    if (size > MINI_MAX_ALLOC)
        return mini_raise_memory();
    MiniBytes *o = (MiniBytes *)mini_type_alloc(type, MINI_VARSIZE_TEXT_ROOM(size));
    if (!o)
        return NULL;
    o->hash = -1;
    o->size = size;
    if (size)
        memcpy(o->data, data, size);
    o->data[size] = '\0';
    return (MiniObject *)o;
}

static MiniObject *bytes_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    static const char *const names[] = {"source", "encoding", "errors"};
    MiniObject *a[3] = {NULL, NULL, NULL};
    if (!str_parse_kwargs("bytes", args, nargs, kwnames, names, 3, a))
        return NULL;
    MiniObject *src = a[0];
    if (src && !a[1] && !a[2]) {
        if (MINI_IS_PTR(src) && src->type == &mini_bytes_type && type == &mini_bytes_type)
            return mini_newref(src);
        // An object with __bytes__ converts itself.
        if (MINI_IS_PTR(src) && !bytes_check(src) &&
            type_lookup_cstr(mini_type(src), "__bytes__")) {
            MiniObject *r = mini_call_method(src, "__bytes__", 0);
            if (!r)
                return NULL;
            if (!bytes_check(r)) {
                mini_raise(mini_exc_TypeError, "__bytes__ returned non-bytes (type %s)",
                           mini_type_name(r));
                MINI_DECREF(r);
                return NULL;
            }
            if (type == &mini_bytes_type)
                return r;
            MiniObject *sub = bytes_of_type(type, ((MiniBytes *)r)->data, ((MiniBytes *)r)->size);
            MINI_DECREF(r);
            return sub;
        }
    }
    StrBuf b;
    strbuf_init(&b);
    if (!constructor_contents(&b, src, a[1], a[2], false) || b.failed) {
        strbuf_free(&b);
        return NULL;
    }
    MiniObject *r = bytes_of_type(type, b.data ? b.data : "", b.size);
    strbuf_free(&b);
    return r;
}

static MiniObject *bytearray_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    (void)args;
    (void)nargs;
    (void)kwnames;
    // The contents are set by __init__, as in CPython, so subclasses can re-initialise. The
    // buffer always exists, so no code path sees a NULL data pointer.
    MiniByteArray *a = (MiniByteArray *)mini_type_alloc(type, 0);
    if (a && !ba_assign(a, NULL, 0)) {
        MINI_DECREF(a);
        return NULL;
    }
    return (MiniObject *)a;
}

static int bytearray_tp_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    static const char *const names[] = {"source", "encoding", "errors"};
    MiniObject *a[3] = {NULL, NULL, NULL};
    if (!str_parse_kwargs("bytearray", args, nargs, kwnames, names, 3, a))
        return -1;
    StrBuf b;
    strbuf_init(&b);
    if (!constructor_contents(&b, a[0], a[1], a[2], true) || b.failed) {
        strbuf_free(&b);
        return -1;
    }
    bool ok = ba_assign((MiniByteArray *)self, b.data, b.size);
    strbuf_free(&b);
    return ok ? 0 : -1;
}

static void bytes_dealloc(MiniObject *self) { mini_object_free(self); }

static void bytearray_dealloc(MiniObject *self) {
    mini_free(((MiniByteArray *)self)->data);
    mini_object_free(self);
}

// ---------------------------------------------------------------------------------------------
// repr, hash, comparison
// ---------------------------------------------------------------------------------------------

// Appends b'...' with CPython's escaping and quote choice. bytearray's repr escapes a single
// quote even inside double quotes, as CPython's does: [always_escape_sq].
static void bytes_repr_into(StrBuf *b, const char *d, size_t n, bool always_escape_sq) {
    bool sq = memchr(d, '\'', n) != NULL, dq = memchr(d, '"', n) != NULL;
    char quote = (sq && !dq) ? '"' : '\'';
    strbuf_addc(b, 'b');
    strbuf_addc(b, quote);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)d[i];
        if (c == (unsigned char)quote || c == '\\' || (always_escape_sq && c == '\'')) {
            strbuf_addc(b, '\\');
            strbuf_addc(b, (char)c);
        } else if (c == '\t') {
            strbuf_adds(b, "\\t");
        } else if (c == '\n') {
            strbuf_adds(b, "\\n");
        } else if (c == '\r') {
            strbuf_adds(b, "\\r");
        } else if (c < 0x20 || c >= 0x7f) {
            strbuf_addf(b, "\\x%02x", (unsigned)c);
        } else {
            strbuf_addc(b, (char)c);
        }
    }
    strbuf_addc(b, quote);
}

static MiniObject *bytes_repr(MiniObject *self) {
    BUF(self, d, n);
    StrBuf b;
    strbuf_init(&b);
    bytes_repr_into(&b, d, n, false);
    return strbuf_finish(&b);
}

static MiniObject *bytearray_repr(MiniObject *self) {
    BUF(self, d, n);
    StrBuf b;
    strbuf_init(&b);
    strbuf_adds(&b, mini_type_name(self));
    strbuf_addc(&b, '(');
    bytes_repr_into(&b, d, n, true);
    strbuf_addc(&b, ')');
    return strbuf_finish(&b);
}

static int64_t bytes_hash(MiniObject *self) {
    MiniBytes *b = (MiniBytes *)self;
    if (b->hash == -1)
        b->hash = str_hash_bytes(b->data, b->size);
    return b->hash;
}

static MiniObject *bytes_richcompare(MiniObject *a, MiniObject *b, int op) {
    const char *x, *y;
    size_t nx, ny;
    if (!bytes_buffer(a, &x, &nx) || !bytes_buffer(b, &y, &ny))
        return MINI_NOTIMPL;
    int c = memcmp(x, y, nx < ny ? nx : ny);
    if (c == 0)
        c = nx < ny ? -1 : nx > ny ? 1 : 0;
    bool r;
    switch (op) {
    case CMP_LT:
        r = c < 0;
        break;
    case CMP_LE:
        r = c <= 0;
        break;
    case CMP_EQ:
        r = c == 0;
        break;
    case CMP_NE:
        r = c != 0;
        break;
    case CMP_GT:
        r = c > 0;
        break;
    default:
        r = c >= 0;
        break;
    }
    return MINI_BOOL(r);
}

// ---------------------------------------------------------------------------------------------
// Operators and the sequence protocol
// ---------------------------------------------------------------------------------------------

static MiniObject *bytes_add(MiniObject *a, MiniObject *b) {
    const char *x, *y;
    size_t nx, ny;
    if (!bytes_buffer(a, &x, &nx))
        return MINI_NOTIMPL;
    if (!bytes_buffer(b, &y, &ny)) {
        // A user class may still take the reflected operation; a builtin type cannot.
        if (MINI_IS_PTR(b) && (b->type->flags & MINI_TPFLAG_HEAPTYPE))
            return MINI_NOTIMPL;
        return mini_raise(mini_exc_TypeError, "can't concat %s to %s", mini_type_name(b),
                          mini_type_name(a));
    }
    if (nx > MINI_MAX_ALLOC || ny > MINI_MAX_ALLOC)
        return mini_raise_memory();
    if (is_bytearray(a)) {
        MiniObject *r = bytearray_new(NULL, nx + ny);
        if (!r)
            return NULL;
        memcpy(((MiniByteArray *)r)->data, x, nx);
        memcpy(((MiniByteArray *)r)->data + nx, y, ny);
        return r;
    }
    if (ny == 0 && a->type == &mini_bytes_type)
        return mini_newref(a);
    MiniObject *r = bytes_alloc(nx + ny);
    if (!r)
        return NULL;
    memcpy(((MiniBytes *)r)->data, x, nx);
    memcpy(((MiniBytes *)r)->data + nx, y, ny);
    return r;
}

static MiniObject *bytes_mul(MiniObject *a, MiniObject *b) {
    MiniObject *seq, *count;
    if (bytes_check(a) || is_bytearray(a))
        seq = a, count = b;
    else
        seq = b, count = a;
    if (!int_check(count) && !mini_type(count)->nb_index)
        return MINI_NOTIMPL;
    // CPython tries both operands' number slots before the sequence repeat, so a right
    // operand with __index__ still gets its __rmul__ first.
    if (seq == a && MINI_IS_PTR(count) && count->type != &mini_int_type) {
        MiniObject *(*other)(MiniObject *, MiniObject *) = count->type->binop[BINOP_MUL];
        if (other && other != bytes_mul) {
            MiniObject *r = other(a, b);
            if (r != MINI_NOTIMPL)
                return r;
        }
    }
    ssize_t n = mini_as_ssize(count);
    if (n == -1 && mini_error_occurred())
        return NULL;
    BUF(seq, d, size);
    if (n < 0)
        n = 0;
    if (size && (size_t)n > (size_t)SSIZE_MAX / size)
        return mini_raise_str(mini_exc_OverflowError, "repeated bytes are too long");
    if (size && (size_t)n > MINI_MAX_ALLOC / size)
        return mini_raise_memory();
    size_t total = size * (size_t)n;
    MiniObject *r = is_bytearray(seq) ? bytearray_new(NULL, total) : bytes_alloc(total);
    if (!r)
        return NULL;
    char *p = is_bytearray(seq) ? ((MiniByteArray *)r)->data : ((MiniBytes *)r)->data;
    for (ssize_t i = 0; i < n; i++)
        memcpy(p + (size_t)i * size, d, size);
    return r;
}

static ssize_t bytes_len(MiniObject *self) {
    BUF(self, d, n);
    (void)d;
    return (ssize_t)n;
}

// The index [key] as a position in a sequence of [len], for item access. -1 with IndexError
// or TypeError ([what] is "byte" or "bytearray" for the type error, [range] the message).
static ssize_t item_index(MiniObject *key, size_t len, const char *what, const char *range) {
    if (!int_check(key) && !mini_type(key)->nb_index) {
        mini_raise(mini_exc_TypeError, "%s indices must be integers or slices, not %s", what,
                   mini_type_name(key));
        return -1;
    }
    ssize_t i = mini_as_ssize(key);
    if (i == -1 && mini_error_occurred()) {
        if (mini_error_matches(mini_exc_OverflowError)) {
            mini_error_clear();
            mini_raise_str(mini_exc_IndexError, "cannot fit 'int' into an index-sized integer");
        }
        return -1;
    }
    if (i < 0)
        i += (ssize_t)len;
    if (i < 0 || (size_t)i >= len) {
        mini_raise_str(mini_exc_IndexError, range);
        return -1;
    }
    return i;
}

static MiniObject *bytes_getitem(MiniObject *self, MiniObject *key) {
    BUF(self, d, n);
    bool ba = is_bytearray(self);
    if (MINI_IS_PTR(key) && key->type == &mini_slice_type) {
        ssize_t start, stop, step;
        ssize_t cnt = slice_indices(key, (ssize_t)n, &start, &stop, &step);
        if (cnt < 0)
            return NULL;
        if (step == 1)
            return make_like(self, d + start, (size_t)cnt);
        StrBuf b;
        strbuf_init(&b);
        for (ssize_t i = 0, k = start; i < cnt; i++, k += step)
            strbuf_addc(&b, d[k]);
        if (b.failed) {
            strbuf_free(&b);
            return NULL;
        }
        MiniObject *r = make_like(self, b.data ? b.data : "", b.size);
        strbuf_free(&b);
        return r;
    }
    ssize_t i = item_index(key, n, ba ? "bytearray" : "byte",
                           ba ? "bytearray index out of range" : "index out of range");
    if (i < 0)
        return NULL;
    return MINI_FROM_SMALLINT((unsigned char)d[i]);
}

// Finds [needle] in [hay] from the left or the right; NULL when absent.
static const char *search(const char *hay, size_t hlen, const char *needle, size_t nlen,
                          bool reverse) {
    if (nlen > hlen)
        return NULL;
    if (!reverse)
        return nlen ? memmem(hay, hlen, needle, nlen) : hay;
    if (nlen == 0)
        return hay + hlen;
    for (size_t i = hlen - nlen + 1; i-- > 0;)
        if (memcmp(hay + i, needle, nlen) == 0)
            return hay + i;
    return NULL;
}

static int bytes_contains(MiniObject *self, MiniObject *item) {
    BUF(self, d, n);
    if (int_check(item)) {
        unsigned char c;
        if (!as_byte(item, &c))
            return -1;
        return memchr(d, c, n) != NULL;
    }
    const char *s;
    size_t sn;
    if (!bytes_buffer(item, &s, &sn)) {
        mini_raise(mini_exc_TypeError, "a bytes-like object is required, not '%s'",
                   mini_type_name(item));
        return -1;
    }
    return search(d, n, s, sn, false) != NULL;
}

// The iterator over bytes or a bytearray (which may change size while iterated).
typedef struct {
    MiniObject ob;
    MiniObject *seq; // NULL once exhausted
    size_t index;
} BytesIter;

static void bytesiter_dealloc(MiniObject *self) {
    MINI_XDECREF(((BytesIter *)self)->seq);
    mini_object_free(self);
}

static MiniObject *bytesiter_iter(MiniObject *self) { return mini_newref(self); }

static MiniObject *bytesiter_next(MiniObject *self) {
    BytesIter *it = (BytesIter *)self;
    if (!it->seq)
        return NULL;
    BUF(it->seq, d, n);
    if (it->index >= n) {
        MINI_CLEAR(it->seq);
        return NULL;
    }
    return MINI_FROM_SMALLINT((unsigned char)d[it->index++]);
}

static MiniType bytes_iterator_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "bytes_iterator",
    .basicsize = sizeof(BytesIter),
    .dealloc = bytesiter_dealloc,
    .iter = bytesiter_iter,
    .iternext = bytesiter_next,
};
static MiniType bytearray_iterator_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "bytearray_iterator",
    .basicsize = sizeof(BytesIter),
    .dealloc = bytesiter_dealloc,
    .iter = bytesiter_iter,
    .iternext = bytesiter_next,
};

static MiniObject *bytes_iter(MiniObject *self) {
    MiniType *t = is_bytearray(self) ? &bytearray_iterator_type : &bytes_iterator_type;
    BytesIter *it = (BytesIter *)mini_alloc(t, sizeof(BytesIter));
    if (!it)
        return NULL;
    it->seq = mini_newref(self);
    it->index = 0;
    return (MiniObject *)it;
}

// ---------------------------------------------------------------------------------------------
// Shared methods
// ---------------------------------------------------------------------------------------------

// A byte string argument: bytes-like, else TypeError "a bytes-like object is required".
static bool arg_buffer(MiniObject *o, const char **d, size_t *n) {
    if (bytes_buffer(o, d, n))
        return true;
    mini_raise(mini_exc_TypeError, "a bytes-like object is required, not '%s'",
               mini_type_name(o));
    return false;
}

static MiniObject *bytes_decode(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    static const char *const names[] = {"encoding", "errors"};
    MiniObject *a[2] = {NULL, NULL};
    if (!str_parse_kwargs("decode", args, nargs, kwnames, names, 2, a))
        return NULL;
    for (int i = 0; i < 2; i++)
        if (a[i] && !str_check(a[i]))
            return mini_raise(mini_exc_TypeError, "decode() argument '%s' must be str, not %s",
                              names[i], clinic_type_name(a[i]));
    BUF(self, d, n);
    return str_decode(d, n, a[0], a[1]);
}

static MiniObject *bytes_hex(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    static const char *const names[] = {"sep", "bytes_per_sep"};
    MiniObject *a[2] = {NULL, NULL};
    if (!str_parse_kwargs("hex", args, nargs, kwnames, names, 2, a))
        return NULL;
    // bytes_per_sep is converted before sep is looked at, as Argument Clinic does.
    ssize_t per = 1;
    if (a[1]) {
        int per_int;
        if (!str_arg_int(a[1], &per_int))
            return NULL;
        per = per_int;
    }
    const char *sep = NULL;
    size_t seplen = 0;
    if (a[0]) {
        // CPython's order of checks: the length (anything without one, None included, is a
        // TypeError from len()), then the type, then ASCII.
        ssize_t len = mini_len(a[0]);
        if (len < 0)
            return NULL;
        if (len != 1)
            return mini_raise_str(mini_exc_ValueError, "sep must be length 1.");
        if (str_check(a[0])) {
            sep = STR_DATA(a[0]);
            seplen = STR_SIZE(a[0]);
        } else if (bytes_check(a[0])) {
            sep = ((MiniBytes *)a[0])->data;
            seplen = 1;
        } else {
            return mini_raise_str(mini_exc_TypeError, "sep must be str or bytes.");
        }
        if ((unsigned char)sep[0] > 127)
            return mini_raise_str(mini_exc_ValueError, "sep must be ASCII.");
    }
    BUF(self, d, n);
    StrBuf b;
    strbuf_init(&b);
    static const char hexdigits[] = "0123456789abcdef";
    size_t group = per == 0 ? 0 : (size_t)(per < 0 ? -per : per);
    for (size_t i = 0; i < n; i++) {
        if (sep && group && i > 0) {
            // Positive counts group from the right, negative from the left.
            size_t from = per > 0 ? n - i : i;
            if (from % group == 0)
                strbuf_add(&b, sep, seplen);
        }
        unsigned char c = (unsigned char)d[i];
        strbuf_addc(&b, hexdigits[c >> 4]);
        strbuf_addc(&b, hexdigits[c & 15]);
    }
    return strbuf_finish(&b);
}

static int hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static MiniObject *bytes_fromhex(MiniObject *cls, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    bool ba = cls == (MiniObject *)&mini_bytearray_type ||
              type_is_subtype((MiniType *)cls, &mini_bytearray_type);
    if (!str_check_args(ARGS_ONE, ba ? "bytearray" : "bytes", "fromhex", nargs, kwnames, 1, 1))
        return NULL;
    MiniObject *s = args[0];
    if (!str_check(s))
        return mini_raise(mini_exc_TypeError, "fromhex() argument must be str, not %s",
                          clinic_type_name(s));
    const char *p = STR_DATA(s);
    size_t n = STR_SIZE(s);
    StrBuf b;
    strbuf_init(&b);
    for (size_t i = 0; i < n;) {
        if (p[i] == ' ' || (p[i] >= '\t' && p[i] <= '\r')) {
            i++;
            continue;
        }
        int hi = hexval(p[i]);
        int lo = i + 1 < n ? hexval(p[i + 1]) : -1;
        if (hi < 0 || lo < 0) {
            strbuf_free(&b);
            return mini_raise(mini_exc_ValueError,
                              "non-hexadecimal number found in fromhex() arg at position %zu",
                              utf8_count(p, hi < 0 ? i : i + 1));
        }
        strbuf_addc(&b, (char)(hi * 16 + lo));
        i += 2;
    }
    if (b.failed) {
        strbuf_free(&b);
        return NULL;
    }
    MiniObject *r = ba ? bytearray_new(b.data, b.size) : bytes_new(b.data ? b.data : "", b.size);
    strbuf_free(&b);
    if (r && cls != (MiniObject *)&mini_bytes_type && cls != (MiniObject *)&mini_bytearray_type) {
        // A subclass: call it on the result, as CPython does.
        MiniObject *sub = mini_call_n(cls, 1, r);
        MINI_DECREF(r);
        return sub;
    }
    return r;
}

static bool is_space_byte(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static int append_like(MiniObject *list, MiniObject *self, const char *d, size_t n) {
    MiniObject *piece = make_like(self, d, n);
    if (!piece)
        return -1;
    int r = list_append(list, piece);
    MINI_DECREF(piece);
    return r;
}

static MiniObject *split_common(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames, bool right) {
    static const char *const names[] = {"sep", "maxsplit"};
    MiniObject *a[2] = {NULL, NULL};
    if (!str_parse_kwargs(right ? "rsplit" : "split", args, nargs, kwnames, names, 2, a))
        return NULL;
    const char *sep = NULL;
    size_t slen = 0;
    if (a[0] && a[0] != MINI_NONE) {
        if (!arg_buffer(a[0], &sep, &slen))
            return NULL;
        if (slen == 0)
            return mini_raise_str(mini_exc_ValueError, "empty separator");
    }
    ssize_t maxsplit = -1;
    if (a[1]) {
        if (!mini_arg_ssize(a[1], &maxsplit))
            return NULL;
    }
    if (maxsplit < 0)
        maxsplit = SSIZE_MAX;
    BUF(self, d, n);
    MiniObject *list = list_new(0);
    if (!list)
        return NULL;
    if (!sep) {
        if (!right) {
            size_t i = 0;
            while (true) {
                while (i < n && is_space_byte((unsigned char)d[i]))
                    i++;
                if (i >= n)
                    break;
                if (maxsplit-- == 0) {
                    if (append_like(list, self, d + i, n - i) < 0)
                        goto error;
                    break;
                }
                size_t j = i;
                while (j < n && !is_space_byte((unsigned char)d[j]))
                    j++;
                if (append_like(list, self, d + i, j - i) < 0)
                    goto error;
                i = j;
            }
        } else {
            size_t i = n;
            while (true) {
                while (i > 0 && is_space_byte((unsigned char)d[i - 1]))
                    i--;
                if (i == 0)
                    break;
                if (maxsplit-- == 0) {
                    if (append_like(list, self, d, i) < 0)
                        goto error;
                    break;
                }
                size_t j = i;
                while (j > 0 && !is_space_byte((unsigned char)d[j - 1]))
                    j--;
                if (append_like(list, self, d + j, i - j) < 0)
                    goto error;
                i = j;
            }
        }
    } else if (!right) {
        size_t i = 0;
        while (maxsplit-- > 0) {
            const char *q = search(d + i, n - i, sep, slen, false);
            if (!q)
                break;
            size_t j = (size_t)(q - d);
            if (append_like(list, self, d + i, j - i) < 0)
                goto error;
            i = j + slen;
        }
        if (append_like(list, self, d + i, n - i) < 0)
            goto error;
    } else {
        size_t i = n;
        while (maxsplit-- > 0) {
            const char *q = search(d, i, sep, slen, true);
            if (!q)
                break;
            size_t j = (size_t)(q - d);
            if (append_like(list, self, d + j + slen, i - j - slen) < 0)
                goto error;
            i = j;
        }
        if (append_like(list, self, d, i) < 0)
            goto error;
    }
    if (right) {
        MiniObject **items = LIST_ITEMS(list);
        size_t k = LIST_SIZE(list);
        for (size_t i = 0; i < k / 2; i++) {
            MiniObject *t = items[i];
            items[i] = items[k - 1 - i];
            items[k - 1 - i] = t;
        }
    }
    return list;
error:
    MINI_DECREF(list);
    return NULL;
}

static MiniObject *bytes_split(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    return split_common(self, args, nargs, kwnames, false);
}
static MiniObject *bytes_rsplit(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    return split_common(self, args, nargs, kwnames, true);
}

static MiniObject *bytes_join(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    if (!str_check_args(ARGS_ONE, tname(self), "join", nargs, kwnames, 1, 1))
        return NULL;
    MiniObject *seq = args[0];
    MiniObject *list;
    if (list_check(seq) || tuple_check(seq)) {
        list = mini_newref(seq);
    } else {
        MiniObject *it = mini_iter(seq);
        if (!it) {
            if (mini_error_matches(mini_exc_TypeError)) {
                mini_error_clear();
                mini_raise_str(mini_exc_TypeError, "can only join an iterable");
            }
            return NULL;
        }
        list = mini_sequence_list(it);
        MINI_DECREF(it);
        if (!list)
            return NULL;
    }
    MiniObject *const *items = list_check(list) ? LIST_ITEMS(list) : TUPLE_ITEMS(list);
    size_t count = list_check(list) ? LIST_SIZE(list) : TUPLE_SIZE(list);
    BUF(self, sep, seplen);
    StrBuf b;
    strbuf_init(&b);
    for (size_t i = 0; i < count; i++) {
        const char *d;
        size_t n;
        if (!bytes_buffer(items[i], &d, &n)) {
            mini_raise(mini_exc_TypeError, "sequence item %zu: expected a bytes-like object, %s found",
                       i, mini_type_name(items[i]));
            strbuf_free(&b);
            MINI_DECREF(list);
            return NULL;
        }
        if (i)
            strbuf_add(&b, sep, seplen);
        strbuf_add(&b, d, n);
    }
    MINI_DECREF(list);
    if (b.failed) {
        strbuf_free(&b);
        return NULL;
    }
    MiniObject *r = make_like(self, b.data ? b.data : "", b.size);
    strbuf_free(&b);
    return r;
}

static MiniObject *strip_common(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames, const char *fname, bool left, bool right) {
    if (!str_check_args(ARGS_CLINIC, tname(self), fname, nargs, kwnames, 0, 1))
        return NULL;
    const char *chars = NULL;
    size_t nchars = 0;
    if (nargs && args[0] != MINI_NONE && !arg_buffer(args[0], &chars, &nchars))
        return NULL;
    BUF(self, d, n);
    size_t i = 0, j = n;
    if (left)
        while (i < j && (chars ? memchr(chars, d[i], nchars) != NULL
                               : is_space_byte((unsigned char)d[i])))
            i++;
    if (right)
        while (j > i && (chars ? memchr(chars, d[j - 1], nchars) != NULL
                               : is_space_byte((unsigned char)d[j - 1])))
            j--;
    if (i == 0 && j == n && MINI_IS_PTR(self) && self->type == &mini_bytes_type)
        return mini_newref(self);
    return make_like(self, d + i, j - i);
}

static MiniObject *bytes_strip(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    return strip_common(self, args, nargs, kwnames, "strip", true, true);
}
static MiniObject *bytes_lstrip(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    return strip_common(self, args, nargs, kwnames, "lstrip", true, false);
}
static MiniObject *bytes_rstrip(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    return strip_common(self, args, nargs, kwnames, "rstrip", false, true);
}

// Parses (sub, [start, [end]]) where sub is bytes-like or an int byte; the int case is put in
// [byte] and *sub points at it. Start/end come back clamped.
static bool sub_args(MiniObject *self, const char *fname, MiniObject *const *args, size_t nargs,
                     MiniObject *kwnames, const char **sub, size_t *sublen, char *byte,
                     ssize_t *start, ssize_t *end) {
    if (!str_check_args(ARGS_TUPLE, tname(self), fname, nargs, kwnames, 1, 3))
        return false;
    // The indices are converted before the subsection is looked at, as in CPython.
    *start = 0;
    *end = SSIZE_MAX;
    if (nargs > 1 && !str_slice_index(args[1], start))
        return false;
    if (nargs > 2 && !str_slice_index(args[2], end))
        return false;
    MiniObject *s = args[0];
    if (int_check(s) || (mini_type(s)->nb_index && !bytes_buffer(s, sub, sublen))) {
        unsigned char c;
        if (!as_byte(s, &c))
            return false;
        *byte = (char)c;
        *sub = byte;
        *sublen = 1;
    } else if (!bytes_buffer(s, sub, sublen)) {
        mini_raise(mini_exc_TypeError,
                   "argument should be integer or bytes-like object, not '%s'",
                   mini_type_name(s));
        return false;
    }
    BUF(self, d, n);
    (void)d;
    str_adjust_indices(start, end, (ssize_t)n);
    return true;
}

static MiniObject *find_common(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames, const char *fname, bool reverse, bool raise) {
    const char *sub;
    size_t sublen;
    char byte;
    ssize_t start, end;
    if (!sub_args(self, fname, args, nargs, kwnames, &sub, &sublen, &byte, &start, &end))
        return NULL;
    BUF(self, d, n);
    ssize_t r = -1;
    if (start <= (ssize_t)n && end - start >= (ssize_t)sublen) {
        const char *q = search(d + start, (size_t)(end - start), sub, sublen, reverse);
        if (q)
            r = q - d;
    }
    if (r < 0 && raise)
        return mini_raise_str(mini_exc_ValueError, "subsection not found");
    return int_from_i64(r);
}

static MiniObject *bytes_find(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    return find_common(self, args, nargs, kwnames, "find", false, false);
}
static MiniObject *bytes_rfind(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    return find_common(self, args, nargs, kwnames, "rfind", true, false);
}
static MiniObject *bytes_index(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    return find_common(self, args, nargs, kwnames, "index", false, true);
}
static MiniObject *bytes_rindex(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    return find_common(self, args, nargs, kwnames, "rindex", true, true);
}

static MiniObject *bytes_count(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    const char *sub;
    size_t sublen;
    char byte;
    ssize_t start, end;
    if (!sub_args(self, "count", args, nargs, kwnames, &sub, &sublen, &byte, &start, &end))
        return NULL;
    BUF(self, d, n);
    if (start > (ssize_t)n || end < start)
        return int_from_i64(0);
    if (sublen == 0)
        return int_from_i64(end - start + 1);
    int64_t count = 0;
    const char *p = d + start, *stop = d + end;
    while ((size_t)(stop - p) >= sublen) {
        const char *q = memmem(p, (size_t)(stop - p), sub, sublen);
        if (!q)
            break;
        count++;
        p = q + sublen;
    }
    return int_from_i64(count);
}

static MiniObject *affix_common(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames, const char *fname, bool suffix) {
    if (!str_check_args(ARGS_TUPLE, tname(self), fname, nargs, kwnames, 1, 3))
        return NULL;
    ssize_t start = 0, end = SSIZE_MAX;
    if (nargs > 1 && !str_slice_index(args[1], &start))
        return NULL;
    if (nargs > 2 && !str_slice_index(args[2], &end))
        return NULL;
    BUF(self, d, n);
    str_adjust_indices(&start, &end, (ssize_t)n);
    MiniObject *arg = args[0];
    size_t count = tuple_check(arg) ? TUPLE_SIZE(arg) : 1;
    for (size_t k = 0; k < count; k++) {
        MiniObject *item = tuple_check(arg) ? TUPLE_GET(arg, k) : arg;
        const char *s;
        size_t sn;
        if (!bytes_buffer(item, &s, &sn)) {
            if (tuple_check(arg))
                return mini_raise(mini_exc_TypeError, "a bytes-like object is required, not '%s'",
                                  mini_type_name(item));
            return mini_raise(mini_exc_TypeError,
                              "%s first arg must be bytes or a tuple of bytes, not %s", fname,
                              mini_type_name(item));
        }
        if (start > (ssize_t)n || end - start < (ssize_t)sn)
            continue;
        const char *at = suffix ? d + end - sn : d + start;
        if (memcmp(at, s, sn) == 0)
            return MINI_TRUE;
    }
    return MINI_FALSE;
}

static MiniObject *bytes_startswith(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    return affix_common(self, args, nargs, kwnames, "startswith", false);
}
static MiniObject *bytes_endswith(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    return affix_common(self, args, nargs, kwnames, "endswith", true);
}

static MiniObject *bytes_replace(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    if (!str_check_args(ARGS_CLINIC, tname(self), "replace", nargs, kwnames, 2, 3))
        return NULL;
    const char *old, *new;
    size_t olen, nlen;
    if (!arg_buffer(args[0], &old, &olen) || !arg_buffer(args[1], &new, &nlen))
        return NULL;
    ssize_t count = -1;
    if (nargs > 2) {
        if (!mini_arg_ssize(args[2], &count))
            return NULL;
    }
    size_t max = count < 0 ? SIZE_MAX : (size_t)count;
    BUF(self, d, n);
    StrBuf b;
    strbuf_init(&b);
    size_t done = 0, i = 0;
    if (olen == 0) {
        for (; i <= n; i++) {
            if (done < max) {
                strbuf_add(&b, new, nlen);
                done++;
            } else {
                strbuf_add(&b, d + i, n - i);
                break;
            }
            if (i < n)
                strbuf_addc(&b, d[i]);
        }
    } else {
        while (done < max) {
            const char *q = search(d + i, n - i, old, olen, false);
            if (!q)
                break;
            size_t j = (size_t)(q - d);
            strbuf_add(&b, d + i, j - i);
            strbuf_add(&b, new, nlen);
            i = j + olen;
            done++;
        }
        strbuf_add(&b, d + i, n - i);
    }
    if (b.failed) {
        strbuf_free(&b);
        return NULL;
    }
    MiniObject *r = make_like(self, b.data ? b.data : "", b.size);
    strbuf_free(&b);
    return r;
}

static MiniObject *partition_common(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames, bool right) {
    if (!str_check_args(ARGS_ONE, tname(self), right ? "rpartition" : "partition", nargs,
                        kwnames, 1, 1))
        return NULL;
    const char *sep;
    size_t slen;
    if (!arg_buffer(args[0], &sep, &slen))
        return NULL;
    if (slen == 0)
        return mini_raise_str(mini_exc_ValueError, "empty separator");
    BUF(self, d, n);
    const char *q = search(d, n, sep, slen, right);
    MiniObject *parts[3];
    if (!q) {
        parts[0] = make_like(self, right ? "" : d, right ? 0 : n);
        parts[1] = make_like(self, "", 0);
        parts[2] = make_like(self, right ? d : "", right ? n : 0);
    } else {
        size_t j = (size_t)(q - d);
        parts[0] = make_like(self, d, j);
        // bytes hands back the separator object itself; bytearray makes a copy.
        parts[1] = is_bytearray(self) ? bytearray_new(sep, slen) : mini_newref(args[0]);
        parts[2] = make_like(self, d + j + slen, n - j - slen);
    }
    MiniObject *t = NULL;
    if (parts[0] && parts[1] && parts[2])
        t = tuple_pack(3, parts[0], parts[1], parts[2]);
    for (int k = 0; k < 3; k++)
        MINI_XDECREF(parts[k]);
    return t;
}

static MiniObject *bytes_partition(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    return partition_common(self, args, nargs, kwnames, false);
}
static MiniObject *bytes_rpartition(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    return partition_common(self, args, nargs, kwnames, true);
}

typedef enum { BC_UPPER, BC_LOWER, BC_SWAP, BC_TITLE, BC_CAPITALIZE } ByteCase;

static MiniObject *case_common(MiniObject *self, size_t nargs, MiniObject *kwnames,
                               const char *fname, ByteCase op) {
    if (!str_check_args(ARGS_NONE, tname(self), fname, nargs, kwnames, 0, 0))
        return NULL;
    BUF(self, d, n);
    // Always a fresh object: the cached one-byte bytes must never be changed in place.
    MiniObject *r = is_bytearray(self) ? bytearray_new(d, n) : bytes_alloc(n);
    if (!r)
        return NULL;
    char *p = is_bytearray(r) ? ((MiniByteArray *)r)->data : ((MiniBytes *)r)->data;
    if (!is_bytearray(r) && n)
        memcpy(p, d, n);
    bool prev_cased = false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        bool up = c >= 'A' && c <= 'Z', low = c >= 'a' && c <= 'z';
        bool to_upper;
        switch (op) {
        case BC_UPPER:
            to_upper = true;
            break;
        case BC_LOWER:
            to_upper = false;
            break;
        case BC_SWAP:
            to_upper = low;
            break;
        case BC_TITLE:
            to_upper = !prev_cased;
            break;
        default:
            to_upper = i == 0;
            break;
        }
        if (to_upper && low)
            p[i] = (char)(c - 32);
        else if (!to_upper && up)
            p[i] = (char)(c + 32);
        prev_cased = up || low;
    }
    if (n == 1 && !is_bytearray(r)) {
        // Prefer the cached object for a single byte.
        MiniObject *cached = bytes_new(p, 1);
        MINI_DECREF(r);
        return cached;
    }
    return r;
}

#define BYTES_CASE(cname, pyname, op)                                                            \
    static MiniObject *cname(MiniObject *self, MiniObject *const *args, size_t nargs,            \
                             MiniObject *kwnames) {                                              \
        (void)args;                                                                              \
        return case_common(self, nargs, kwnames, pyname, op);                                    \
    }
BYTES_CASE(bytes_upper, "upper", BC_UPPER)
BYTES_CASE(bytes_lower, "lower", BC_LOWER)
BYTES_CASE(bytes_swapcase, "swapcase", BC_SWAP)
BYTES_CASE(bytes_title, "title", BC_TITLE)
BYTES_CASE(bytes_capitalize, "capitalize", BC_CAPITALIZE)

typedef enum { BP_DIGIT, BP_ALPHA, BP_SPACE, BP_ALNUM, BP_UPPER, BP_LOWER, BP_ASCII } BytePred;

static MiniObject *pred_common(MiniObject *self, size_t nargs, MiniObject *kwnames,
                               const char *fname, BytePred pred) {
    if (!str_check_args(ARGS_NONE, tname(self), fname, nargs, kwnames, 0, 0))
        return NULL;
    BUF(self, d, n);
    if (pred == BP_ASCII) {
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)d[i] >= 0x80)
                return MINI_FALSE;
        return MINI_TRUE;
    }
    if (n == 0)
        return MINI_FALSE;
    bool cased = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)d[i];
        bool digit = c >= '0' && c <= '9', up = c >= 'A' && c <= 'Z', low = c >= 'a' && c <= 'z';
        switch (pred) {
        case BP_DIGIT:
            if (!digit)
                return MINI_FALSE;
            break;
        case BP_ALPHA:
            if (!up && !low)
                return MINI_FALSE;
            break;
        case BP_ALNUM:
            if (!up && !low && !digit)
                return MINI_FALSE;
            break;
        case BP_SPACE:
            if (!is_space_byte(c))
                return MINI_FALSE;
            break;
        case BP_UPPER:
            if (low)
                return MINI_FALSE;
            cased = cased || up;
            break;
        default:
            if (up)
                return MINI_FALSE;
            cased = cased || low;
            break;
        }
    }
    if (pred == BP_UPPER || pred == BP_LOWER)
        return MINI_BOOL(cased);
    return MINI_TRUE;
}

#define BYTES_PRED(cname, pyname, pred)                                                          \
    static MiniObject *cname(MiniObject *self, MiniObject *const *args, size_t nargs,            \
                             MiniObject *kwnames) {                                              \
        (void)args;                                                                              \
        return pred_common(self, nargs, kwnames, pyname, pred);                                  \
    }
BYTES_PRED(bytes_isdigit, "isdigit", BP_DIGIT)
BYTES_PRED(bytes_isalpha, "isalpha", BP_ALPHA)
BYTES_PRED(bytes_isspace, "isspace", BP_SPACE)
BYTES_PRED(bytes_isalnum, "isalnum", BP_ALNUM)
BYTES_PRED(bytes_isupper, "isupper", BP_UPPER)
BYTES_PRED(bytes_islower, "islower", BP_LOWER)
BYTES_PRED(bytes_isascii, "isascii", BP_ASCII)

static MiniObject *bytes_removeaffix(MiniObject *self, MiniObject *const *args, size_t nargs,
                                     MiniObject *kwnames, bool suffix) {
    if (!str_check_args(ARGS_ONE, tname(self), suffix ? "removesuffix" : "removeprefix", nargs,
                        kwnames, 1, 1))
        return NULL;
    const char *a;
    size_t an;
    if (!arg_buffer(args[0], &a, &an))
        return NULL;
    BUF(self, d, n);
    if (an && an <= n) {
        if (!suffix && memcmp(d, a, an) == 0)
            return make_like(self, d + an, n - an);
        if (suffix && memcmp(d + n - an, a, an) == 0)
            return make_like(self, d, n - an);
    }
    if (MINI_IS_PTR(self) && self->type == &mini_bytes_type)
        return mini_newref(self);
    return make_like(self, d, n);
}

static MiniObject *bytes_removeprefix(MiniObject *self, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    return bytes_removeaffix(self, args, nargs, kwnames, false);
}
static MiniObject *bytes_removesuffix(MiniObject *self, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    return bytes_removeaffix(self, args, nargs, kwnames, true);
}

static MiniObject *bytes_getnewargs(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    (void)args;
    if (!str_check_args(ARGS_NONE, tname(self), "__getnewargs__", nargs, kwnames, 0, 0))
        return NULL;
    BUF(self, d, n);
    MiniObject *b = bytes_new(d, n);
    if (!b)
        return NULL;
    MiniObject *t = tuple_pack(1, b);
    MINI_DECREF(b);
    return t;
}

// A fresh object of [self]'s kind with room for [size] bytes, which the caller writes through
// [*p]. New reference.
static MiniObject *alloc_like(MiniObject *self, size_t size, char **p) {
    if (size > MINI_MAX_ALLOC)
        return mini_raise_memory();
    MiniObject *r = is_bytearray(self) ? bytearray_new(NULL, size) : bytes_alloc(size);
    if (!r)
        return NULL;
    *p = is_bytearray(self) ? ((MiniByteArray *)r)->data : ((MiniBytes *)r)->data;
    return r;
}

// [self] unchanged: itself when it is an exact bytes (immutable, so it may be shared), else a
// copy of its kind. New reference.
static MiniObject *same_like(MiniObject *self) {
    if (MINI_IS_PTR(self) && self->type == &mini_bytes_type)
        return mini_newref(self);
    BUF(self, d, n);
    return make_like(self, d, n);
}

// [self] with [left] and [right] copies of [fill] around it. New reference.
static MiniObject *pad_like(MiniObject *self, size_t left, size_t right, char fill) {
    BUF(self, d, n);
    if (left > MINI_MAX_ALLOC || right > MINI_MAX_ALLOC)
        return mini_raise_memory();
    char *p;
    MiniObject *r = alloc_like(self, left + n + right, &p);
    if (!r)
        return NULL;
    memset(p, fill, left);
    if (n)
        memcpy(p + left, d, n);
    memset(p + left + n, fill, right);
    return r;
}

// center/ljust/rjust: kind 'c', 'l' or 'r'.
static MiniObject *just_common(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames, const char *fname, char kind) {
    if (!str_check_args(ARGS_CLINIC, tname(self), fname, nargs, kwnames, 1, 2))
        return NULL;
    ssize_t width;
    if (!mini_arg_ssize(args[0], &width))
        return NULL;
    char fill = ' ';
    if (nargs > 1) {
        MiniObject *f = args[1];
        const char *fd = NULL;
        size_t fn = 0;
        if (!(bytes_check(f) || is_bytearray(f)) || !bytes_buffer(f, &fd, &fn) || fn != 1)
            return mini_raise(mini_exc_TypeError,
                              "%s() argument 2 must be a byte string of length 1, not %s", fname,
                              clinic_type_name(f));
        fill = fd[0];
    }
    BUF(self, d, n);
    (void)d;
    if (width <= (ssize_t)n)
        return same_like(self);
    size_t marg = (size_t)width - n;
    if (kind == 'l')
        return pad_like(self, 0, marg, fill);
    if (kind == 'r')
        return pad_like(self, marg, 0, fill);
    // CPython's rounding: the odd byte goes left only when both margin and width are odd.
    size_t left = marg / 2 + (marg & (size_t)width & 1);
    return pad_like(self, left, marg - left, fill);
}

static MiniObject *bytes_center(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    return just_common(self, args, nargs, kwnames, "center", 'c');
}
static MiniObject *bytes_ljust(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    return just_common(self, args, nargs, kwnames, "ljust", 'l');
}
static MiniObject *bytes_rjust(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    return just_common(self, args, nargs, kwnames, "rjust", 'r');
}

static MiniObject *bytes_zfill(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    if (!str_check_args(ARGS_ONE, tname(self), "zfill", nargs, kwnames, 1, 1))
        return NULL;
    ssize_t width;
    if (!mini_arg_ssize(args[0], &width))
        return NULL;
    BUF(self, d, n);
    (void)d;
    if (width <= (ssize_t)n)
        return same_like(self);
    size_t fill = (size_t)width - n;
    MiniObject *r = pad_like(self, fill, 0, '0');
    if (!r)
        return NULL;
    // A leading sign moves in front of the zeros.
    char *p = is_bytearray(r) ? ((MiniByteArray *)r)->data : ((MiniBytes *)r)->data;
    if (p[fill] == '+' || p[fill] == '-') {
        p[0] = p[fill];
        p[fill] = '0';
    }
    return r;
}

static MiniObject *bytes_expandtabs(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    static const char *const names[] = {"tabsize"};
    MiniObject *a[1] = {NULL};
    if (!str_parse_kwargs("expandtabs", args, nargs, kwnames, names, 1, a))
        return NULL;
    int64_t tabsize = 8;
    if (a[0]) {
        MiniObject *i = mini_index(a[0]);
        if (!i)
            return NULL;
        bool ok = int_as_i64(i, &tabsize) && tabsize >= INT_MIN && tabsize <= INT_MAX;
        MINI_DECREF(i);
        if (!ok) {
            mini_error_clear();
            return mini_raise_str(mini_exc_OverflowError,
                                  "Python int too large to convert to C int");
        }
    }
    BUF(self, d, n);
    StrBuf b;
    strbuf_init(&b);
    size_t col = 0;
    for (size_t i = 0; i < n && !b.failed; i++) {
        char c = d[i];
        if (c == '\t') {
            if (tabsize > 0) {
                size_t k = (size_t)tabsize - col % (size_t)tabsize;
                if (k > MINI_MAX_ALLOC || b.size > MINI_MAX_ALLOC - k) {
                    strbuf_free(&b);
                    return mini_raise_memory();
                }
                for (size_t j = 0; j < k; j++)
                    strbuf_addc(&b, ' ');
                col += k;
            }
        } else {
            strbuf_addc(&b, c);
            col = (c == '\n' || c == '\r') ? 0 : col + 1;
        }
    }
    if (b.failed) {
        strbuf_free(&b);
        return NULL;
    }
    MiniObject *r = make_like(self, b.data ? b.data : "", b.size);
    strbuf_free(&b);
    return r;
}

static MiniObject *bytes_istitle(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)args;
    if (!str_check_args(ARGS_NONE, tname(self), "istitle", nargs, kwnames, 0, 0))
        return NULL;
    BUF(self, d, n);
    // Uppercase only after uncased bytes, lowercase only after cased ones, and at least one
    // cased byte.
    bool cased = false, prev_cased = false;
    for (size_t i = 0; i < n; i++) {
        char c = d[i];
        if (c >= 'A' && c <= 'Z') {
            if (prev_cased)
                return MINI_FALSE;
            prev_cased = cased = true;
        } else if (c >= 'a' && c <= 'z') {
            if (!prev_cased)
                return MINI_FALSE;
            prev_cased = cased = true;
        } else {
            prev_cased = false;
        }
    }
    return MINI_BOOL(cased);
}

static MiniObject *bytes_splitlines(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    static const char *const names[] = {"keepends"};
    MiniObject *a[1] = {NULL};
    if (!str_parse_kwargs("splitlines", args, nargs, kwnames, names, 1, a))
        return NULL;
    bool keep = false;
    if (a[0]) {
        int k;
        if (!str_arg_int(a[0], &k))
            return NULL;
        keep = k != 0;
    }
    MiniObject *list = list_new(0);
    if (!list)
        return NULL;
    BUF(self, d, n);
    // Only \n, \r and \r\n end lines in bytes.
    size_t start = 0, i = 0;
    while (i < n) {
        if (d[i] != '\n' && d[i] != '\r') {
            i++;
            continue;
        }
        size_t eol = (d[i] == '\r' && i + 1 < n && d[i + 1] == '\n') ? 2 : 1;
        if (append_like(list, self, d + start, (keep ? i + eol : i) - start) < 0) {
            MINI_DECREF(list);
            return NULL;
        }
        i += eol;
        start = i;
    }
    if (start < n && append_like(list, self, d + start, n - start) < 0) {
        MINI_DECREF(list);
        return NULL;
    }
    return list;
}

static MiniObject *bytes_translate(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    // translate(table, /, delete=b''), with Argument Clinic's messages.
    size_t nkw = kwnames ? TUPLE_SIZE(kwnames) : 0;
    if (nargs + nkw > 2)
        return mini_raise(mini_exc_TypeError, "translate() takes at most 2 arguments (%zu given)",
                          nargs + nkw);
    if (nargs < 1)
        return mini_raise(mini_exc_TypeError,
                          "translate() takes at least 1 positional argument (%zu given)", nargs);
    MiniObject *del = nargs > 1 ? args[1] : NULL;
    for (size_t k = 0; k < nkw; k++) {
        MiniObject *name = TUPLE_GET(kwnames, k);
        if (STR_SIZE(name) != 6 || memcmp(STR_DATA(name), "delete", 6) != 0)
            return mini_raise(mini_exc_TypeError,
                              "'%U' is an invalid keyword argument for translate()", name);
        del = args[nargs + k];
    }
    const char *table = NULL, *dd = "";
    size_t tn = 0, dn = 0;
    if (args[0] != MINI_NONE) {
        if (!arg_buffer(args[0], &table, &tn))
            return NULL;
        if (tn != 256)
            return mini_raise_str(mini_exc_ValueError,
                                  "translation table must be 256 characters long");
    }
    if (del && !arg_buffer(del, &dd, &dn))
        return NULL;
    bool deleted[256] = {false};
    for (size_t k = 0; k < dn; k++)
        deleted[(unsigned char)dd[k]] = true;
    BUF(self, d, n);
    char *p;
    MiniObject *r = alloc_like(self, n, &p);
    if (!r)
        return NULL;
    size_t m = 0;
    bool changed = false;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)d[k];
        if (deleted[c]) {
            changed = true;
            continue;
        }
        char t = table ? table[c] : (char)c;
        changed = changed || t != (char)c;
        p[m++] = t;
    }
    if (!changed && !is_bytearray(self) && self->type == &mini_bytes_type) {
        MINI_DECREF(r);
        return mini_newref(self);
    }
    MiniObject *res = make_like(self, p, m);
    MINI_DECREF(r);
    return res;
}

// bytes.maketrans(frm, to) and bytearray.maketrans: a 256-byte bytes table. [tn] names the
// class for the keyword message.
static MiniObject *maketrans_common(const char *tn, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    if (!str_check_args(ARGS_CLINIC, tn, "maketrans", nargs, kwnames, 2, 2))
        return NULL;
    const char *f, *t;
    size_t fn, n;
    if (!arg_buffer(args[0], &f, &fn) || !arg_buffer(args[1], &t, &n))
        return NULL;
    if (fn != n)
        return mini_raise_str(mini_exc_ValueError, "maketrans arguments must have same length");
    char table[256];
    for (int k = 0; k < 256; k++)
        table[k] = (char)k;
    for (size_t k = 0; k < n; k++)
        table[(unsigned char)f[k]] = t[k];
    return bytes_new(table, 256);
}

static MiniObject *bytes_maketrans(MiniObject *cls, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)cls;
    return maketrans_common("bytes", args, nargs, kwnames);
}
static MiniObject *bytearray_maketrans(MiniObject *cls, MiniObject *const *args, size_t nargs,
                                       MiniObject *kwnames) {
    (void)cls;
    return maketrans_common("bytearray", args, nargs, kwnames);
}

// bytes.__bytes__: an exact bytes copy (itself when already exact).
static MiniObject *bytes_bytes_method(MiniObject *self, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    (void)args;
    if (!str_check_args(ARGS_NONE, tname(self), "__bytes__", nargs, kwnames, 0, 0))
        return NULL;
    if (self->type == &mini_bytes_type)
        return mini_newref(self);
    BUF(self, d, n);
    return bytes_new(d, n);
}

// bytes % args and bytearray % args (strformat.c does the work).
static MiniObject *bytes_mod(MiniObject *a, MiniObject *b) {
    if (!MINI_IS_PTR(a) || !(bytes_check(a) || is_bytearray(a)))
        return MINI_NOTIMPL;
    return bytes_percent_format(a, b);
}

// ---------------------------------------------------------------------------------------------
// bytearray's mutating methods
// ---------------------------------------------------------------------------------------------

#define BA(o) ((MiniByteArray *)(o))

// Inserts [n] bytes at [pos] (0 <= pos <= size). False with MemoryError.
static bool ba_insert(MiniByteArray *a, size_t pos, const char *data, size_t n) {
    if (n == 0)
        return true;
    if (a->size > MINI_MAX_ALLOC || n > MINI_MAX_ALLOC) {
        mini_raise_memory();
        return false;
    }
    if (!ba_reserve(a, a->size + n))
        return false;
    memmove(a->data + pos + n, a->data + pos, a->size - pos);
    memcpy(a->data + pos, data, n);
    a->size += n;
    a->data[a->size] = '\0';
    return true;
}

// Removes [n] bytes at [pos].
static void ba_remove(MiniByteArray *a, size_t pos, size_t n) {
    memmove(a->data + pos, a->data + pos + n, a->size - pos - n);
    a->size -= n;
    if (a->data)
        a->data[a->size] = '\0';
}

static MiniObject *ba_append(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    if (!str_check_args(ARGS_ONE, "bytearray", "append", nargs, kwnames, 1, 1))
        return NULL;
    unsigned char c;
    if (!as_byte(args[0], &c))
        return NULL;
    char ch = (char)c;
    if (!ba_insert(BA(self), BA(self)->size, &ch, 1))
        return NULL;
    return MINI_NONE;
}

// Appends the bytes of [iterable] to [self]. False on error.
static bool ba_extend_with(MiniObject *self, MiniObject *iterable) {
    const char *d;
    size_t n;
    if (bytes_buffer(iterable, &d, &n)) {
        if (iterable == self) {
            // Extending with itself: copy first, the buffer moves when it grows.
            MiniObject *copy = bytes_new(d, n);
            if (!copy)
                return false;
            bool ok = ba_insert(BA(self), BA(self)->size, ((MiniBytes *)copy)->data, n);
            MINI_DECREF(copy);
            return ok;
        }
        return ba_insert(BA(self), BA(self)->size, d, n);
    }
    if (str_check(iterable)) {
        mini_raise_str(mini_exc_TypeError, "'str' object cannot be interpreted as an integer");
        return false;
    }
    if (!mini_type(iterable)->iter && !mini_type(iterable)->getitem) {
        mini_raise(mini_exc_TypeError, "can't extend bytearray with %s",
                   mini_type_name(iterable));
        return false;
    }
    StrBuf b;
    strbuf_init(&b);
    if (!collect_ints(&b, iterable, NULL)) {
        strbuf_free(&b);
        return false;
    }
    bool ok = ba_insert(BA(self), BA(self)->size, b.data, b.size);
    strbuf_free(&b);
    return ok;
}

static MiniObject *ba_extend(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    if (!str_check_args(ARGS_ONE, "bytearray", "extend", nargs, kwnames, 1, 1))
        return NULL;
    if (!ba_extend_with(self, args[0]))
        return NULL;
    return MINI_NONE;
}

static MiniObject *ba_pop(MiniObject *self, MiniObject *const *args, size_t nargs,
                          MiniObject *kwnames) {
    if (!str_check_args(ARGS_CLINIC, "bytearray", "pop", nargs, kwnames, 0, 1))
        return NULL;
    MiniByteArray *a = BA(self);
    ssize_t i = -1;
    if (nargs) {
        if (!mini_arg_ssize(args[0], &i))
            return NULL;
    }
    if (a->size == 0)
        return mini_raise_str(mini_exc_IndexError, "pop from empty bytearray");
    if (i < 0)
        i += (ssize_t)a->size;
    if (i < 0 || (size_t)i >= a->size)
        return mini_raise_str(mini_exc_IndexError, "pop index out of range");
    unsigned char c = (unsigned char)a->data[i];
    ba_remove(a, (size_t)i, 1);
    return MINI_FROM_SMALLINT(c);
}

static MiniObject *ba_insert_method(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    if (!str_check_args(ARGS_CLINIC, "bytearray", "insert", nargs, kwnames, 2, 2))
        return NULL;
    ssize_t i;
    if (!mini_arg_ssize(args[0], &i))
        return NULL;
    unsigned char c;
    if (!as_byte(args[1], &c))
        return NULL;
    MiniByteArray *a = BA(self);
    ssize_t n = (ssize_t)a->size;
    if (i < 0) {
        i += n;
        if (i < 0)
            i = 0;
    }
    if (i > n)
        i = n;
    char ch = (char)c;
    if (!ba_insert(a, (size_t)i, &ch, 1))
        return NULL;
    return MINI_NONE;
}

static MiniObject *ba_remove_method(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    if (!str_check_args(ARGS_ONE, "bytearray", "remove", nargs, kwnames, 1, 1))
        return NULL;
    unsigned char c;
    if (!as_byte(args[0], &c))
        return NULL;
    MiniByteArray *a = BA(self);
    char *p = a->size ? memchr(a->data, c, a->size) : NULL;
    if (!p)
        return mini_raise_str(mini_exc_ValueError, "value not found in bytearray");
    ba_remove(a, (size_t)(p - a->data), 1);
    return MINI_NONE;
}

static MiniObject *ba_clear(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    (void)args;
    if (!str_check_args(ARGS_NONE, "bytearray", "clear", nargs, kwnames, 0, 0))
        return NULL;
    BA(self)->size = 0;
    if (BA(self)->data)
        BA(self)->data[0] = '\0';
    return MINI_NONE;
}

static MiniObject *ba_reverse(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)args;
    if (!str_check_args(ARGS_NONE, "bytearray", "reverse", nargs, kwnames, 0, 0))
        return NULL;
    MiniByteArray *a = BA(self);
    for (size_t i = 0; i < a->size / 2; i++) {
        char t = a->data[i];
        a->data[i] = a->data[a->size - 1 - i];
        a->data[a->size - 1 - i] = t;
    }
    return MINI_NONE;
}

// bytearray.__alloc__(): the bytes allocated, as CPython counts them for a bytearray built at
// its size: one more than the size (for the NUL), 0 when empty. (Its growth policy differs.)
static MiniObject *ba_alloc(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    (void)args;
    if (!str_check_args(ARGS_NONE, "bytearray", "__alloc__", nargs, kwnames, 0, 0))
        return NULL;
    MiniByteArray *a = (MiniByteArray *)self;
    return int_from_i64(a->size ? (int64_t)a->size + 1 : 0);
}

static MiniObject *ba_copy(MiniObject *self, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    (void)args;
    if (!str_check_args(ARGS_NONE, "bytearray", "copy", nargs, kwnames, 0, 0))
        return NULL;
    return bytearray_new(BA(self)->data, BA(self)->size);
}

static int ba_setitem(MiniObject *self, MiniObject *key, MiniObject *value) {
    MiniByteArray *a = BA(self);
    if (MINI_IS_PTR(key) && key->type == &mini_slice_type) {
        ssize_t start, stop, step;
        ssize_t cnt = slice_indices(key, (ssize_t)a->size, &start, &stop, &step);
        if (cnt < 0)
            return -1;
        if (!value) {
            if (step == 1) {
                ba_remove(a, (size_t)start, (size_t)cnt);
                return 0;
            }
            // Delete an extended slice: keep the bytes not selected.
            if (step < 0) {
                start += step * (cnt - 1);
                step = -step;
            }
            size_t w = 0;
            for (size_t r = 0; r < a->size; r++) {
                bool hit = (ssize_t)r >= start && ((ssize_t)r - start) % step == 0 &&
                           ((ssize_t)r - start) / step < cnt;
                if (!hit)
                    a->data[w++] = a->data[r];
            }
            a->size = w;
            if (a->data)
                a->data[w] = '\0';
            return 0;
        }
        StrBuf b;
        strbuf_init(&b);
        const char *d;
        size_t n;
        if (bytes_buffer(value, &d, &n)) {
            strbuf_add(&b, d, n);
        } else if (int_check(value) || str_check(value) ||
                   (!mini_type(value)->iter && !mini_type(value)->getitem)) {
            mini_raise_str(mini_exc_TypeError,
                           "can assign only bytes, buffers, or iterables of ints in range(0, 256)");
            return -1;
        } else if (!collect_ints(&b, value, NULL)) {
            strbuf_free(&b);
            return -1;
        }
        if (b.failed) {
            strbuf_free(&b);
            return -1;
        }
        int r = 0;
        if (step == 1) {
            // Replace [start, start+cnt) by the new bytes: resize then copy.
            size_t old = (size_t)cnt;
            if (stop < start)
                old = 0;
            ba_remove(a, (size_t)start, old);
            if (!ba_insert(a, (size_t)start, b.data, b.size))
                r = -1;
        } else if ((size_t)cnt != b.size) {
            mini_raise(mini_exc_ValueError,
                       "attempt to assign bytes of size %zu to extended slice of size %zd", b.size,
                       cnt);
            r = -1;
        } else {
            for (ssize_t i = 0, k = start; i < cnt; i++, k += step)
                a->data[k] = b.data[i];
        }
        strbuf_free(&b);
        return r;
    }
    ssize_t i = item_index(key, a->size, "bytearray", "bytearray index out of range");
    if (i < 0)
        return -1;
    if (!value) {
        ba_remove(a, (size_t)i, 1);
        return 0;
    }
    unsigned char c;
    if (!as_byte(value, &c))
        return -1;
    a->data[i] = (char)c;
    return 0;
}

static MiniObject *ba_iadd(MiniObject *self, MiniObject *other) {
    if (!is_bytearray(self))
        return MINI_NOTIMPL;
    const char *d;
    size_t n;
    if (!bytes_buffer(other, &d, &n))
        return mini_raise(mini_exc_TypeError, "can't concat %s to %s", mini_type_name(other),
                          mini_type_name(self));
    if (!ba_extend_with(self, other))
        return NULL;
    return mini_newref(self);
}

static MiniObject *ba_imul(MiniObject *self, MiniObject *other) {
    if (!is_bytearray(self))
        return MINI_NOTIMPL;
    if (!int_check(other) && !mini_type(other)->nb_index)
        return MINI_NOTIMPL;
    // As for *, the right operand's __rmul__ comes before the in-place repeat.
    if (MINI_IS_PTR(other) && other->type != &mini_int_type) {
        MiniObject *(*slot)(MiniObject *, MiniObject *) = other->type->binop[BINOP_MUL];
        if (slot && slot != bytes_mul) {
            MiniObject *r = slot(self, other);
            if (r != MINI_NOTIMPL)
                return r;
        }
    }
    ssize_t n = mini_as_ssize(other);
    if (n == -1 && mini_error_occurred())
        return NULL;
    MiniByteArray *a = BA(self);
    if (n <= 0) {
        a->size = 0;
        if (a->data)
            a->data[0] = '\0';
        return mini_newref(self);
    }
    size_t size = a->size;
    if (size && (size_t)n > MINI_MAX_ALLOC / size)
        return mini_raise_memory();
    if (!ba_reserve(a, size * (size_t)n))
        return NULL;
    for (ssize_t i = 1; i < n; i++)
        memcpy(a->data + (size_t)i * size, a->data, size);
    a->size = size * (size_t)n;
    if (a->data)
        a->data[a->size] = '\0';
    return mini_newref(self);
}

// ---------------------------------------------------------------------------------------------
// The types
// ---------------------------------------------------------------------------------------------

#define SHARED_METHODS                                                                           \
    {"capitalize", bytes_capitalize, 0, "B.capitalize() -> copy of B"},                          \
    {"center", bytes_center, 0, "Return a centered string of length width."},                    \
    {"expandtabs", bytes_expandtabs, 0, "Return a copy where all tab characters are expanded."}, \
    {"istitle", bytes_istitle, 0, "B.istitle() -> bool"},                                        \
    {"ljust", bytes_ljust, 0, "Return a left-justified string of length width."},               \
    {"rjust", bytes_rjust, 0, "Return a right-justified string of length width."},              \
    {"splitlines", bytes_splitlines, 0, "Return a list of the lines in the bytes."},             \
    {"translate", bytes_translate, 0, "Return a copy with each byte mapped by the table."},     \
    {"zfill", bytes_zfill, 0, "Pad a numeric string with zeros on the left."},                   \
    {"count", bytes_count, 0, "Return the number of non-overlapping occurrences of subsection."},\
    {"decode", bytes_decode, 0, "Decode the bytes using the codec registered for encoding."},    \
    {"endswith", bytes_endswith, 0, "Return True if the bytes end with the specified suffix."},  \
    {"find", bytes_find, 0, "Return the lowest index where subsection sub is found."},           \
    {"hex", bytes_hex, 0, "Create a string of hexadecimal numbers from a bytes object."},        \
    {"index", bytes_index, 0, "Like find() but raise ValueError when not found."},               \
    {"isalnum", bytes_isalnum, 0, "B.isalnum() -> bool"},                                        \
    {"isalpha", bytes_isalpha, 0, "B.isalpha() -> bool"},                                        \
    {"isascii", bytes_isascii, 0, "B.isascii() -> bool"},                                        \
    {"isdigit", bytes_isdigit, 0, "B.isdigit() -> bool"},                                        \
    {"islower", bytes_islower, 0, "B.islower() -> bool"},                                        \
    {"isspace", bytes_isspace, 0, "B.isspace() -> bool"},                                        \
    {"isupper", bytes_isupper, 0, "B.isupper() -> bool"},                                        \
    {"join", bytes_join, 0, "Concatenate any number of bytes objects."},                         \
    {"lower", bytes_lower, 0, "B.lower() -> copy of B"},                                         \
    {"lstrip", bytes_lstrip, 0, "Strip leading bytes contained in the argument."},               \
    {"partition", bytes_partition, 0, "Partition the bytes into three parts."},                  \
    {"removeprefix", bytes_removeprefix, 0, "Remove a prefix if present."},                      \
    {"removesuffix", bytes_removesuffix, 0, "Remove a suffix if present."},                      \
    {"replace", bytes_replace, 0, "Return a copy with occurrences of old replaced by new."},     \
    {"rfind", bytes_rfind, 0, "Return the highest index where subsection sub is found."},        \
    {"rindex", bytes_rindex, 0, "Like rfind() but raise ValueError when not found."},            \
    {"rpartition", bytes_rpartition, 0, "Partition the bytes into three parts, from the right."},\
    {"rsplit", bytes_rsplit, 0, "Return a list of the sections in the bytes, from the right."},  \
    {"rstrip", bytes_rstrip, 0, "Strip trailing bytes contained in the argument."},              \
    {"split", bytes_split, 0, "Return a list of the sections in the bytes."},                    \
    {"startswith", bytes_startswith, 0, "Return True if the bytes start with the prefix."},      \
    {"strip", bytes_strip, 0, "Strip leading and trailing bytes contained in the argument."},    \
    {"swapcase", bytes_swapcase, 0, "B.swapcase() -> copy of B"},                                \
    {"title", bytes_title, 0, "B.title() -> copy of B"},                                         \
    {"upper", bytes_upper, 0, "B.upper() -> copy of B"},                                         \
    {"fromhex", bytes_fromhex, MINI_METH_CLASS, "Create an object from a string of hex numbers."}

static const MiniMethodDef bytes_methods[] = {
    SHARED_METHODS,
    {"__getnewargs__", bytes_getnewargs, 0, NULL},
    {"__bytes__", bytes_bytes_method, 0, "Convert this value to exact type bytes."},
    {"maketrans", bytes_maketrans, MINI_METH_STATIC, "Return a translation table for translate()."},
    {NULL, NULL, 0, NULL},
};

static const MiniMethodDef bytearray_methods[] = {
    SHARED_METHODS,
    {"__alloc__", ba_alloc, 0, "B.__alloc__() -> int"},
    {"maketrans", bytearray_maketrans, MINI_METH_STATIC,
     "Return a translation table for translate()."},
    {"append", ba_append, 0, "Append a single item to the end of the bytearray."},
    {"clear", ba_clear, 0, "Remove all items from the bytearray."},
    {"copy", ba_copy, 0, "Return a copy of B."},
    {"extend", ba_extend, 0, "Append all the items from the iterator or sequence to the end."},
    {"insert", ba_insert_method, 0, "Insert a single item into the bytearray before the index."},
    {"pop", ba_pop, 0, "Remove and return a single item from B."},
    {"remove", ba_remove_method, 0, "Remove the first occurrence of a value in the bytearray."},
    {"reverse", ba_reverse, 0, "Reverse the order of the values in B in place."},
    {NULL, NULL, 0, NULL},
};

MiniType mini_bytes_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "bytes",
    .basicsize = sizeof(MiniBytes),
    .flags = MINI_TPFLAG_BASETYPE,
    .dealloc = bytes_dealloc,
    .tp_new = bytes_tp_new,
    .repr = bytes_repr,
    .hash = bytes_hash,
    .richcompare = bytes_richcompare,
    .iter = bytes_iter,
    .binop = {[BINOP_ADD] = bytes_add, [BINOP_MUL] = bytes_mul, [BINOP_MOD] = bytes_mod},
    .len = bytes_len,
    .getitem = bytes_getitem,
    .contains = bytes_contains,
    .methods = bytes_methods,
    .doc = "bytes(iterable_of_ints) -> bytes\nbytes(string, encoding[, errors]) -> bytes\n"
           "bytes(bytes_or_buffer) -> immutable copy of bytes_or_buffer\n"
           "bytes(int) -> bytes object of size given by the parameter initialized with null bytes\n"
           "bytes() -> empty bytes object",
};

MiniType mini_bytearray_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "bytearray",
    .basicsize = sizeof(MiniByteArray),
    .flags = MINI_TPFLAG_BASETYPE,
    .dealloc = bytearray_dealloc,
    .tp_new = bytearray_tp_new,
    .tp_init = bytearray_tp_init,
    .repr = bytearray_repr,
    .richcompare = bytes_richcompare,
    .iter = bytes_iter,
    .binop = {[BINOP_ADD] = bytes_add, [BINOP_MUL] = bytes_mul, [BINOP_MOD] = bytes_mod},
    .inplace = {[BINOP_ADD] = ba_iadd, [BINOP_MUL] = ba_imul},
    .len = bytes_len,
    .getitem = bytes_getitem,
    .setitem = ba_setitem,
    .contains = bytes_contains,
    .methods = bytearray_methods,
    .doc = "bytearray(iterable_of_ints) -> bytearray\n"
           "bytearray(string, encoding[, errors]) -> bytearray\n"
           "bytearray(bytes_or_buffer) -> mutable copy of bytes_or_buffer\n"
           "bytearray(int) -> bytes array of size given by the parameter initialized with null bytes\n"
           "bytearray() -> empty bytes array",
};
