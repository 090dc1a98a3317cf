// marshal.c - code objects and their constants as bytes, and back (see marshal.h for the
// design).
//
// The tags:
//
//   N F T .     None, False, True, Ellipsis
//   i <sv>      an int that is an immediate (zigzag varint)
//   I <n> hex   any other int: its hexadecimal digits, '-' first when negative
//   g <8>       a float: its IEEE bits, little-endian (negative zero and NaNs stay as they are)
//   s <n> utf8  a str; S for an interned one
//   b <n> data  bytes
//   ( <n> ...   a tuple of n values
//   c ...       a code object (write_code lists its fields)
//   r <n>       the object given reference index n
//
// <n> is an unsigned LEB128 varint, <sv> a zigzag-encoded one.

#include <string.h>

#include "marshal.h"

// The format's version: move it on whenever the layout below changes.
#define MARSHAL_VERSION 1

// A value's tag byte.
enum {
    TAG_NONE = 'N',
    TAG_FALSE = 'F',
    TAG_TRUE = 'T',
    TAG_ELLIPSIS = '.',
    TAG_SMALLINT = 'i',
    TAG_BIGINT = 'I',
    TAG_FLOAT = 'g',
    TAG_STR = 's',
    TAG_INTERNED = 'S',
    TAG_BYTES = 'b',
    TAG_TUPLE = '(',
    TAG_CODE = 'c',
    TAG_REF = 'r',
};

// A hash of the opcode list (names, argument kinds, base instructions): what makes a blob
// written for another opcode list fail the header check (FNV-1a, 32 bits).
static uint32_t opcode_list_hash(void) {
    uint32_t h = 2166136261u;
    for (int op = 0; op < OP__COUNT; op++) {
        for (const char *p = opcode_names[op]; p && *p; p++)
            h = (h ^ (uint8_t)*p) * 16777619u;
        h = (h ^ 0xffu) * 16777619u;
        h = (h ^ (uint8_t)opcode_argkinds[op]) * 16777619u;
        h = (h ^ opcode_bases[op]) * 16777619u;
    }
    return h;
}

// Makes [o] immortal for the running VM and takes a container out of the collector's list,
// as code_new does with the constants of compiled code.
static void immortalize(MiniObject *o) {
    if (!MINI_IS_PTR(o) || o->refcnt >= MINI_IMMORTAL)
        return;
    mini_make_immortal_vm(o);
    if (o->type->flags & MINI_TPFLAG_GC)
        mini_gc_untrack(o);
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

typedef struct {
    uint8_t *data; // mini_malloc'd
    size_t size, cap;
    // The objects written so far and their reference indexes: an open-addressing table keyed
    // by address (refcap slots, a power of two, at most half full).
    MiniObject **refkeys;
    uint32_t *refvals;
    size_t refcap;
    uint32_t nrefs;
} Writer;

static bool put_raw(Writer *w, const void *p, size_t n) {
    if (n == 0)
        return true; // (p may be NULL then)
    if (w->size + n > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->size + n)
            cap *= 2;
        uint8_t *d = mini_realloc(w->data, cap);
        if (!d)
            return false;
        w->data = d;
        w->cap = cap;
    }
    memcpy(w->data + w->size, p, n);
    w->size += n;
    return true;
}

static bool put_byte(Writer *w, uint8_t b) { return put_raw(w, &b, 1); }

static bool put_uvarint(Writer *w, uint64_t v) {
    uint8_t buf[10];
    size_t n = 0;
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        buf[n++] = (uint8_t)(b | (v ? 0x80 : 0));
    } while (v);
    return put_raw(w, buf, n);
}

static bool put_svarint(Writer *w, int64_t v) {
    return put_uvarint(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static size_t ref_slot(MiniObject *o, size_t cap) {
    return (size_t)(((uintptr_t)o >> 4) * 0x9e3779b97f4a7c15u) & (cap - 1);
}

// The reference index of [o] if it was written already, else -1.
static int64_t ref_find(Writer *w, MiniObject *o) {
    if (!w->refcap)
        return -1;
    for (size_t i = ref_slot(o, w->refcap);; i = (i + 1) & (w->refcap - 1)) {
        if (!w->refkeys[i])
            return -1;
        if (w->refkeys[i] == o)
            return w->refvals[i];
    }
}

// Gives [o], just written in full, the next reference index. False with MemoryError.
static bool ref_add(Writer *w, MiniObject *o) {
    if (2 * ((size_t)w->nrefs + 1) > w->refcap) {
        size_t cap = w->refcap ? w->refcap * 2 : 64;
        MiniObject **keys = mini_calloc(cap, sizeof *keys);
        uint32_t *vals = keys ? mini_calloc(cap, sizeof *vals) : NULL;
        if (!vals) {
            mini_free(keys);
            return false;
        }
        for (size_t i = 0; i < w->refcap; i++) {
            if (!w->refkeys[i])
                continue;
            size_t j = ref_slot(w->refkeys[i], cap);
            while (keys[j])
                j = (j + 1) & (cap - 1);
            keys[j] = w->refkeys[i];
            vals[j] = w->refvals[i];
        }
        mini_free(w->refkeys);
        mini_free(w->refvals);
        w->refkeys = keys;
        w->refvals = vals;
        w->refcap = cap;
    }
    size_t i = ref_slot(o, w->refcap);
    while (w->refkeys[i])
        i = (i + 1) & (w->refcap - 1);
    w->refkeys[i] = o;
    w->refvals[i] = w->nrefs++;
    return true;
}

static bool write_object(Writer *w, MiniObject *o);

// A str or bytes payload: its size, then its bytes.
static bool put_sized(Writer *w, uint8_t tag, const void *p, size_t n) {
    return put_byte(w, tag) && put_uvarint(w, n) && put_raw(w, p, n);
}

// A code object: 'c', then argcount, posonlyargcount, kwonlyargcount, stacksize, flags,
// firstlineno and the number of instructions; each instruction as its opcode byte and its
// argument (a varint), as the compiler wrote it; each instruction's line as the difference
// from the line before (the first from firstlineno); then consts, names, varnames, cellvars,
// freevars, name, qualname and filename as values.
static bool write_code(Writer *w, CodeObject *co) {
    if (!put_byte(w, TAG_CODE) || !put_uvarint(w, (uint64_t)co->argcount) ||
        !put_uvarint(w, (uint64_t)co->posonlyargcount) ||
        !put_uvarint(w, (uint64_t)co->kwonlyargcount) ||
        !put_uvarint(w, (uint64_t)co->stacksize) || !put_uvarint(w, (uint64_t)co->flags) ||
        !put_svarint(w, co->firstlineno) || !put_uvarint(w, co->ncode))
        return false;
    for (size_t i = 0; i < co->ncode; i++) {
        uint32_t instr = code_base_instr(co, i);
        if (!put_byte(w, (uint8_t)INSTR_OP(instr)) || !put_uvarint(w, INSTR_ARG(instr)))
            return false;
    }
    int64_t prev = co->firstlineno;
    for (size_t i = 0; i < co->ncode; i++) {
        int64_t line = co->lines ? (int64_t)co->lines[i] : co->firstlineno;
        if (!put_svarint(w, line - prev))
            return false;
        prev = line;
    }
    return write_object(w, co->consts) && write_object(w, co->names) &&
           write_object(w, co->varnames) && write_object(w, co->cellvars) &&
           write_object(w, co->freevars) && write_object(w, co->name) &&
           write_object(w, co->qualname) && write_object(w, co->filename);
}

static bool write_object(Writer *w, MiniObject *o) {
    if (o == MINI_NONE)
        return put_byte(w, TAG_NONE);
    if (o == MINI_FALSE)
        return put_byte(w, TAG_FALSE);
    if (o == MINI_TRUE)
        return put_byte(w, TAG_TRUE);
    if (o == MINI_ELLIPSIS)
        return put_byte(w, TAG_ELLIPSIS);
    if (MINI_IS_SMALLINT(o))
        return put_byte(w, TAG_SMALLINT) && put_svarint(w, MINI_SMALLINT_VALUE(o));
    if (!MINI_IS_PTR(o)) {
        mini_raise_str(mini_exc_ValueError, "unmarshallable object");
        return false;
    }
    int64_t ref = ref_find(w, o);
    if (ref >= 0)
        return put_byte(w, TAG_REF) && put_uvarint(w, (uint64_t)ref);
    bool ok;
    MiniType *t = o->type;
    if (t == &mini_int_type) {
        MiniObject *hex = int_to_string(o, 16);
        ok = hex && put_sized(w, TAG_BIGINT, STR_DATA(hex), STR_SIZE(hex));
        MINI_XDECREF(hex);
    } else if (t == &mini_float_type) {
        double d = ((MiniFloat *)o)->value;
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        uint8_t le[8];
        for (int i = 0; i < 8; i++)
            le[i] = (uint8_t)(bits >> (8 * i));
        ok = put_byte(w, TAG_FLOAT) && put_raw(w, le, sizeof le);
    } else if (t == &mini_str_type) {
        ok = put_sized(w, ((MiniStr *)o)->interned ? TAG_INTERNED : TAG_STR, STR_DATA(o),
                       STR_SIZE(o));
    } else if (t == &mini_bytes_type) {
        ok = put_sized(w, TAG_BYTES, ((MiniBytes *)o)->data, ((MiniBytes *)o)->size);
    } else if (t == &mini_tuple_type) {
        size_t n = TUPLE_SIZE(o);
        ok = put_byte(w, TAG_TUPLE) && put_uvarint(w, n);
        for (size_t i = 0; ok && i < n; i++)
            ok = write_object(w, TUPLE_GET(o, i));
    } else if (t == &mini_code_type) {
        ok = write_code(w, (CodeObject *)o);
    } else {
        mini_raise_str(mini_exc_ValueError, "unmarshallable object");
        return false;
    }
    return ok && ref_add(w, o);
}

// Serializes [o] after [header] ([hsize] bytes). New bytes or NULL with an exception.
static MiniObject *dump(MiniObject *o, const uint8_t *header, size_t hsize) {
    Writer w;
    memset(&w, 0, sizeof w);
    MiniObject *res = NULL;
    if (put_raw(&w, header, hsize) && write_object(&w, o))
        res = bytes_new((const char *)w.data, w.size);
    mini_free(w.data);
    mini_free(w.refkeys);
    mini_free(w.refvals);
    return res;
}

MiniObject *marshal_dumps(MiniObject *o) { return dump(o, NULL, 0); }

// The header of a code blob: "MC", the version, the opcode count (16 bits) and the opcode
// list's hash, little-endian. Fills [h] (MARSHAL_HEADER_SIZE bytes).
#define MARSHAL_HEADER_SIZE 9
static void make_header(uint8_t h[MARSHAL_HEADER_SIZE]) {
    uint32_t hash = opcode_list_hash();
    h[0] = 'M';
    h[1] = 'C';
    h[2] = MARSHAL_VERSION;
    h[3] = (uint8_t)(OP__COUNT & 0xff);
    h[4] = (uint8_t)(OP__COUNT >> 8);
    for (int i = 0; i < 4; i++)
        h[5 + i] = (uint8_t)(hash >> (8 * i));
}

MiniObject *marshal_dump_code(CodeObject *co) {
    uint8_t h[MARSHAL_HEADER_SIZE];
    make_header(h);
    return dump((MiniObject *)co, h, sizeof h);
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

typedef struct {
    const uint8_t *p, *end;
    // The objects read so far in reference order (borrowed: every one is immortal).
    MiniObject **refs;
    size_t nrefs, refcap;
} Reader;

static bool bad(const char *why) {
    mini_raise(mini_exc_ValueError, "bad marshal data (%s)", why);
    return false;
}

static bool get_byte(Reader *r, uint8_t *out) {
    if (r->p >= r->end)
        return bad("truncated");
    *out = *r->p++;
    return true;
}

static bool get_uvarint(Reader *r, uint64_t *out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        uint8_t b;
        if (!get_byte(r, &b))
            return false;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return bad("varint too long");
}

static bool get_svarint(Reader *r, int64_t *out) {
    uint64_t u;
    if (!get_uvarint(r, &u))
        return false;
    *out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
    return true;
}

// A count of items that each take at least one more byte: never more than the bytes left,
// so damaged data cannot ask for a huge allocation.
static bool get_count(Reader *r, size_t *out) {
    uint64_t n;
    if (!get_uvarint(r, &n))
        return false;
    if (n > (uint64_t)(r->end - r->p))
        return bad("truncated");
    *out = (size_t)n;
    return true;
}

// Gives [o] (immortal) the next reference index. False with MemoryError.
static bool ref_push(Reader *r, MiniObject *o) {
    if (r->nrefs == r->refcap) {
        size_t cap = r->refcap ? r->refcap * 2 : 64;
        MiniObject **refs = mini_realloc(r->refs, cap * sizeof *refs);
        if (!refs)
            return false;
        r->refs = refs;
        r->refcap = cap;
    }
    r->refs[r->nrefs++] = o;
    return true;
}

static MiniObject *read_object(Reader *r);

// A tuple of [n] values (the tag and count are read). Immortal, or NULL.
static MiniObject *read_tuple(Reader *r, size_t n) {
    MiniObject *t = tuple_new(n);
    if (!t || n == 0)
        return t;
    // Filled with None first: the collector may look at it while the items are read.
    for (size_t i = 0; i < n; i++)
        TUPLE_ITEMS(t)[i] = MINI_NONE;
    for (size_t i = 0; i < n; i++) {
        MiniObject *item = read_object(r);
        if (!item) {
            MINI_DECREF(t);
            return NULL;
        }
        TUPLE_ITEMS(t)[i] = item; // immortal: the tuple's reference costs nothing
    }
    immortalize(t);
    return t;
}

// A value that must be a tuple whose items are all str (a code object's names). Immortal.
static MiniObject *read_name_tuple(Reader *r) {
    MiniObject *t = read_object(r);
    if (!t)
        return NULL;
    if (mini_type(t) != &mini_tuple_type) {
        bad("a code object's names are not a tuple");
        return NULL;
    }
    for (size_t i = 0; i < TUPLE_SIZE(t); i++)
        if (mini_type(TUPLE_GET(t, i)) != &mini_str_type) {
            bad("a code object's name is not a str");
            return NULL;
        }
    return t;
}

// A value that must be a str. Immortal.
static MiniObject *read_str(Reader *r) {
    MiniObject *s = read_object(r);
    if (s && mini_type(s) != &mini_str_type) {
        bad("a code object's name is not a str");
        return NULL;
    }
    return s;
}

static bool get_int(Reader *r, int *out) {
    int64_t v;
    if (!get_svarint(r, &v))
        return false;
    if (v < INT32_MIN || v > INT32_MAX)
        return bad("number out of range");
    *out = (int)v;
    return true;
}

static bool get_uint(Reader *r, int *out) {
    uint64_t v;
    if (!get_uvarint(r, &v))
        return false;
    if (v > INT32_MAX)
        return bad("number out of range");
    *out = (int)v;
    return true;
}

// A code object (the tag is read): the fields write_code writes. Immortal (code_new makes it
// so, and its tuples too), or NULL.
static MiniObject *read_code(Reader *r) {
    int argcount, posonly, kwonly, stacksize, flags, firstlineno;
    size_t ncode;
    if (!get_uint(r, &argcount) || !get_uint(r, &posonly) || !get_uint(r, &kwonly) ||
        !get_uint(r, &stacksize) || !get_uint(r, &flags) || !get_int(r, &firstlineno) ||
        !get_count(r, &ncode))
        return NULL;
    // (An instruction takes two bytes at least, a line one: ncode is bounded by the data.)
    uint32_t *code = mini_malloc((ncode ? ncode : 1) * sizeof(uint32_t));
    uint32_t *lines = code ? mini_malloc((ncode ? ncode : 1) * sizeof(uint32_t)) : NULL;
    if (!lines)
        goto fail;
    for (size_t i = 0; i < ncode; i++) {
        uint8_t op;
        uint64_t arg;
        if (!get_byte(r, &op) || !get_uvarint(r, &arg))
            goto fail;
        if (op >= OP__COUNT || opcode_bases[op] != op || arg > MAX_OPARG) {
            bad("bad instruction");
            goto fail;
        }
        code[i] = INSTR(op, arg);
    }
    int64_t line = firstlineno;
    for (size_t i = 0; i < ncode; i++) {
        int64_t delta;
        if (!get_svarint(r, &delta))
            goto fail;
        line += delta;
        if (line < 0 || line > UINT32_MAX) {
            bad("bad line number");
            goto fail;
        }
        lines[i] = (uint32_t)line;
    }
    MiniObject *consts = read_object(r);
    if (consts && mini_type(consts) != &mini_tuple_type) {
        bad("a code object's constants are not a tuple");
        goto fail;
    }
    MiniObject *names = consts ? read_name_tuple(r) : NULL;
    MiniObject *varnames = names ? read_name_tuple(r) : NULL;
    MiniObject *cellvars = varnames ? read_name_tuple(r) : NULL;
    MiniObject *freevars = cellvars ? read_name_tuple(r) : NULL;
    MiniObject *name = freevars ? read_str(r) : NULL;
    MiniObject *qualname = name ? read_str(r) : NULL;
    MiniObject *filename = qualname ? read_str(r) : NULL;
    if (!filename)
        goto fail;
    // code_new takes the arrays over whether it succeeds or not.
    return (MiniObject *)code_new(code, lines, ncode, consts, names, varnames, cellvars,
                                  freevars, argcount, posonly, kwonly, stacksize, flags,
                                  firstlineno, name, qualname, filename);
fail:
    mini_free(code);
    mini_free(lines);
    return NULL;
}

// The next value. Immortal (or an immediate), or NULL with an exception.
static MiniObject *read_object(Reader *r) {
    uint8_t tag;
    if (!get_byte(r, &tag))
        return NULL;
    MiniObject *o;
    switch (tag) {
    case TAG_NONE: return MINI_NONE;
    case TAG_FALSE: return MINI_FALSE;
    case TAG_TRUE: return MINI_TRUE;
    case TAG_ELLIPSIS: return MINI_ELLIPSIS;
    case TAG_SMALLINT: {
        int64_t v;
        if (!get_svarint(r, &v))
            return NULL;
        if (!MINI_FITS_SMALLINT(v)) {
            bad("small int out of range");
            return NULL;
        }
        return MINI_FROM_SMALLINT(v);
    }
    case TAG_REF: {
        uint64_t i;
        if (!get_uvarint(r, &i))
            return NULL;
        if (i >= r->nrefs) {
            bad("invalid reference");
            return NULL;
        }
        return r->refs[i];
    }
    case TAG_BIGINT:
    case TAG_STR:
    case TAG_INTERNED:
    case TAG_BYTES: {
        size_t n;
        if (!get_count(r, &n)) // (n bytes follow: get_count checked they are there)
            return NULL;
        const char *p = (const char *)r->p;
        r->p += n;
        if (tag == TAG_BIGINT) {
            // (Hexadecimal digits are not subject to int_max_str_digits.)
            bool neg = n > 0 && p[0] == '-';
            o = int_from_string(p + neg, n - neg, 16);
            if (o && neg) {
                MiniObject *v = mini_neg(o);
                MINI_DECREF(o);
                o = v;
            }
        } else if (tag == TAG_BYTES) {
            o = bytes_new(p, n);
        } else {
            // (The blob was written from str objects: it is valid UTF-8.)
            o = tag == TAG_INTERNED ? mini_intern_n(p, n) : str_new(p, n);
        }
        break;
    }
    case TAG_FLOAT: {
        if (r->end - r->p < 8) {
            bad("truncated");
            return NULL;
        }
        uint64_t bits = 0;
        for (int i = 0; i < 8; i++)
            bits |= (uint64_t)r->p[i] << (8 * i);
        r->p += 8;
        double d;
        memcpy(&d, &bits, sizeof d);
        o = float_new(d);
        break;
    }
    case TAG_TUPLE: {
        size_t n;
        if (!get_count(r, &n))
            return NULL;
        o = read_tuple(r, n);
        break;
    }
    case TAG_CODE:
        o = read_code(r);
        break;
    default:
        bad("unknown type code");
        return NULL;
    }
    if (!o)
        return NULL;
    immortalize(o);
    if (!ref_push(r, o))
        return NULL;
    return o;
}

// Reads one value that must take up all of [data]. Immortal, or NULL with an exception.
static MiniObject *load(const uint8_t *data, size_t size) {
    Reader r = {data, data + size, NULL, 0, 0};
    MiniObject *o = read_object(&r);
    mini_free(r.refs);
    if (o && r.p != r.end) {
        bad("extra data after the value");
        return NULL;
    }
    return o;
}

MiniObject *marshal_loads(const uint8_t *data, size_t size) { return load(data, size); }

CodeObject *marshal_load_code(const uint8_t *data, size_t size) {
    uint8_t h[MARSHAL_HEADER_SIZE];
    make_header(h);
    if (size < sizeof h || memcmp(data, h, 3) != 0) {
        bad("not a code blob of this format");
        return NULL;
    }
    if (memcmp(data + 3, h + 3, sizeof h - 3) != 0) {
        bad("made for another list of opcodes: rebuild");
        return NULL;
    }
    MiniObject *o = load(data + sizeof h, size - sizeof h);
    if (o && mini_type(o) != &mini_code_type) {
        bad("not a code object");
        return NULL;
    }
    return (CodeObject *)o;
}
