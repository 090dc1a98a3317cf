// str.c - the str type: immutable UTF-8 text indexed by code point.
//
// A MiniStr keeps its text inline, NUL-terminated, with `size` in bytes and `length` in code
// points. When every byte is ASCII (`ascii` set) a code point index is a byte index, so
// indexing and slicing are O(1); otherwise they walk the UTF-8, which is linear but simple.
// Iteration keeps a byte offset and is O(1) per step either way.
//
// The empty string and the 128 one-character ASCII strings are immortal objects made once by
// str_init() (mini_runtime.empty_str, char_strs), so `s[i]` and `for c in s` over ASCII text
// allocate nothing. Interned strings live in mini_runtime.interned (str -> the canonical
// immortal str); the identifiers of ids.def are among them, so C code compares names by
// pointer.
//
// Character classes and case mappings come from runtime/unicode_db.h, generated from
// CPython's own Unicode database, so isalpha(), upper() and repr() agree with python3 whatever
// the C locale is. The printf-style engine that mini_raise uses (str_from_vformat) is here too.
//
// Ownership: every function here that returns a MiniObject * returns a new reference, or NULL
// with an exception pending (methods and slots included), unless its comment says otherwise;
// arguments are borrowed. The cached immortal objects may be returned without an INCREF, which
// is the same thing for an immortal.

#include "str_internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vm/vm.h"
#include "unicode_db.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

// ---------------------------------------------------------------------------------------------
// The Unicode character database
// ---------------------------------------------------------------------------------------------

uint16_t str_uc_flags(uint32_t cp) {
    if (cp > 0x10ffff)
        return 0;
    size_t lo = 0, hi = COUNT_OF(ucd_prop_runs);
    // Find the last run starting at or before cp; run 0 starts at 0.
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (ucd_prop_runs[mid].start <= cp)
            lo = mid;
        else
            hi = mid;
    }
    return ucd_prop_runs[lo].flags;
}

// Looks [cp] up in a sorted table of multi-code-point mappings. NULL when absent.
static const char *special_lookup(const UcdSpecial *t, size_t n, uint32_t cp) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid].cp == cp)
            return t[mid].utf8;
        if (t[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

// The simple mapping of [cp] in a table of runs (which never overlap), or [cp] itself.
static uint32_t run_lookup(const UcdCaseRun *t, size_t n, uint32_t cp) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < t[mid].start)
            hi = mid;
        else if (cp > t[mid].end)
            lo = mid + 1;
        else {
            if (t[mid].stride == 2 && ((cp - t[mid].start) & 1))
                return cp;
            return (uint32_t)((int32_t)cp + t[mid].delta);
        }
    }
    return cp;
}

size_t str_uc_case(uint32_t cp, UcMapping kind, char *out) {
    if (cp < 0x80) {
        char c = (char)cp;
        if (kind == UC_MAP_UPPER || kind == UC_MAP_TITLE) {
            if (c >= 'a' && c <= 'z')
                c = (char)(c - 32);
        } else if (c >= 'A' && c <= 'Z') {
            c = (char)(c + 32);
        }
        out[0] = c;
        return 1;
    }
    const UcdSpecial *sp;
    size_t nsp;
    const UcdCaseRun *runs;
    size_t nruns;
    switch (kind) {
    case UC_MAP_LOWER:
        sp = ucd_lower_special, nsp = COUNT_OF(ucd_lower_special);
        runs = ucd_lower_runs, nruns = COUNT_OF(ucd_lower_runs);
        break;
    case UC_MAP_UPPER:
        sp = ucd_upper_special, nsp = COUNT_OF(ucd_upper_special);
        runs = ucd_upper_runs, nruns = COUNT_OF(ucd_upper_runs);
        break;
    case UC_MAP_TITLE:
        sp = ucd_title_special, nsp = COUNT_OF(ucd_title_special);
        runs = ucd_title_runs, nruns = COUNT_OF(ucd_title_runs);
        break;
    default:
        sp = ucd_fold_special, nsp = COUNT_OF(ucd_fold_special);
        runs = ucd_fold_runs, nruns = COUNT_OF(ucd_fold_runs);
        break;
    }
    const char *s = special_lookup(sp, nsp, cp);
    if (s && cp != 0) {
        size_t n = strlen(s);
        memcpy(out, s, n);
        return n;
    }
    return utf8_encode(run_lookup(runs, nruns, cp), out);
}

int str_decimal_value(uint32_t cp) {
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') ? (int)(cp - '0') : -1;
    if (!(str_uc_flags(cp) & UC_DECIMAL))
        return -1;
    // Decimal digits come in blocks of ten starting at a zero, so the distance from the start
    // of the run of decimal code points gives the value.
    size_t lo = 0, hi = COUNT_OF(ucd_prop_runs);
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (ucd_prop_runs[mid].start <= cp)
            lo = mid;
        else
            hi = mid;
    }
    while (lo > 0 && (ucd_prop_runs[lo - 1].flags & UC_DECIMAL))
        lo--;
    return (int)((cp - ucd_prop_runs[lo].start) % 10);
}

bool str_is_space(uint32_t cp) {
    if (cp < 0x80)
        return cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x1f);
    return (str_uc_flags(cp) & UC_SPACE) != 0;
}

// ---------------------------------------------------------------------------------------------
// Allocation and the caches
// ---------------------------------------------------------------------------------------------

// Small strs (a word, a number's digits) are made and dropped by the hundred thousand: their
// blocks all have one size, STR_SMALL_BLOCK bytes, and dropped ones wait on a per-thread free
// list (ThreadState.str_free, linked through the type field) for the next small str, which
// spares malloc and free each time, as CPython's small-object allocator does.
#define STR_SMALL_BLOCK 64
#define STR_SMALL_MAX (STR_SMALL_BLOCK - sizeof(MiniStr) - 1) // the most bytes of text
#define STR_FREE_MAX 4096                                   // blocks kept per thread

MiniObject *str_alloc(size_t size, size_t length, bool ascii) {
    if (size > SIZE_MAX - sizeof(MiniStr) - 1)
        return mini_raise_memory();
    MiniStr *s;
    if (size <= STR_SMALL_MAX) {
        ThreadState *ts = mini_ts;
        if (ts && ts->str_free) {
            s = (MiniStr *)ts->str_free;
            ts->str_free = (MiniObject *)s->ob.type;
            ts->str_free_count--;
        } else {
            s = mini_malloc(STR_SMALL_BLOCK);
            if (!s)
                return NULL;
        }
        s->ob.refcnt = 1;
        s->ob.type = &mini_str_type;
    } else {
        s = (MiniStr *)mini_alloc(&mini_str_type, sizeof(MiniStr) + size + 1);
        if (!s)
            return NULL;
    }
    s->hash = -1;
    s->length = length;
    s->size = size;
    s->ascii = ascii;
    s->interned = 0;
    s->data[size] = '\0';
    return (MiniObject *)s;
}

MiniObject *str_new_known(const char *utf8, size_t size, size_t length) {
    if (size == 0 && mini_runtime.empty_str)
        return mini_runtime.empty_str;
    if (size == 1 && (unsigned char)utf8[0] < 0x80 && mini_runtime.char_strs[0])
        return mini_runtime.char_strs[(unsigned char)utf8[0]];
    MiniObject *s = str_alloc(size, length, size == length);
    if (s && size)
        memcpy(STR_DATA(s), utf8, size);
    return s;
}

MiniObject *str_new(const char *utf8, size_t size) {
    return str_new_known(utf8, size, utf8_count(utf8, size));
}

MiniObject *str_from_cstr(const char *s) { return str_new(s, strlen(s)); }

// The text of [s] as an exact str: [s] itself when it is one, else a copy (what str methods
// return for a subclass instance whose result is unchanged). New reference.
static MiniObject *str_exact(MiniObject *s) {
    if (s->type == &mini_str_type)
        return mini_newref(s);
    return str_new_known(STR_DATA(s), STR_SIZE(s), STR_LEN(s));
}

bool str_init(void) {
    if (mini_runtime.empty_str)
        return true;
    if (!mini_runtime.interned) {
        mini_runtime.interned = dict_new();
        if (!mini_runtime.interned)
            return false;
        mini_make_immortal(mini_runtime.interned);
    }
    MiniObject *e = str_alloc(0, 0, true);
    if (!e)
        return false;
    mini_make_immortal(e);
    mini_runtime.empty_str = e;
    for (int c = 0; c < 128; c++) {
        MiniObject *s = str_alloc(1, 1, true);
        if (!s)
            return false;
        STR_DATA(s)[0] = (char)c;
        mini_make_immortal(s);
        mini_runtime.char_strs[c] = s;
    }
    // The cached strings are the interned ones for their text, so interning "a" or "" gives
    // back the cached object.
    if (!str_intern(e))
        return false;
    for (int c = 0; c < 128; c++)
        if (!str_intern(mini_runtime.char_strs[c]))
            return false;
    // The bytes caches are made here too so that runtime_init() has one call to make.
    MiniObject *eb = bytes_new("", 0);
    if (!eb)
        return false;
    mini_make_immortal(eb);
    mini_runtime.empty_bytes = eb;
    // bytes_new hands out the cache once byte_bytes[0] is set, so fill a local table first.
    MiniObject *one[256];
    for (int c = 0; c < 256; c++) {
        char ch = (char)c;
        one[c] = bytes_new(&ch, 1);
        if (!one[c])
            return false;
        mini_make_immortal(one[c]);
    }
    memcpy(mini_runtime.byte_bytes, one, sizeof one);
    return true;
}

// ---------------------------------------------------------------------------------------------
// Interning
// ---------------------------------------------------------------------------------------------

MiniObject *str_intern(MiniObject *s) {
    if (((MiniStr *)s)->interned)
        return s;
    MiniObject *d = mini_runtime.interned;
    MiniObject *found = dict_get(d, s);
    if (found)
        return found;
    if (mini_error_occurred())
        return NULL;
    // An exact str becomes the canonical object itself (immortal from now on, so the
    // caller's reference stays good); a subclass instance is copied into a plain str.
    MiniObject *canon = s;
    if (s->type != &mini_str_type) {
        canon = str_alloc(STR_SIZE(s), STR_LEN(s), ((MiniStr *)s)->ascii);
        if (!canon)
            return NULL;
        memcpy(STR_DATA(canon), STR_DATA(s), STR_SIZE(s));
    }
    mini_make_immortal(canon);
    ((MiniStr *)canon)->interned = 1;
    if (dict_set(d, canon, canon) < 0)
        return NULL;
    return canon;
}

MiniObject *mini_intern_n(const char *s, size_t size) {
    if (size == 1 && (unsigned char)s[0] < 0x80 && mini_runtime.char_strs[0])
        return mini_runtime.char_strs[(unsigned char)s[0]];
    if (size == 0 && mini_runtime.empty_str)
        return mini_runtime.empty_str;
    MiniObject *tmp = str_new(s, size);
    if (!tmp)
        return NULL;
    MiniObject *r = str_intern(tmp);
    MINI_DECREF(tmp);
    return r;
}

MiniObject *mini_intern(const char *s) { return mini_intern_n(s, strlen(s)); }

// ---------------------------------------------------------------------------------------------
// Equality, hashing, concatenation, joining, single characters
// ---------------------------------------------------------------------------------------------

// FNV-1a over the bytes, then a final avalanche (MurmurHash3's fmix64): a non-randomised
// hash, the same for bytes and str of equal contents (as in CPython for ASCII text). FNV-1a
// alone is weak for hash tables: its low bits depend only on the low bits of each byte, so
// identifiers like `fib`/`fic` crowd the same dict slots; the avalanche spreads every input
// bit over the low bits that pick a slot. Never -1, which means "not computed" or "error".
int64_t str_hash_bytes(const char *p, size_t n) {
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    int64_t r = (int64_t)(h >> 1);
    return r == -1 ? -2 : r;
}

int64_t str_hash(MiniObject *s) {
    MiniStr *st = (MiniStr *)s;
    if (st->hash == -1)
        st->hash = str_hash_bytes(st->data, st->size);
    return st->hash;
}

bool str_eq(MiniObject *a, MiniObject *b) {
    if (a == b)
        return true;
    MiniStr *x = (MiniStr *)a, *y = (MiniStr *)b;
    if (x->size != y->size)
        return false;
    if (x->hash != -1 && y->hash != -1 && x->hash != y->hash)
        return false;
    return memcmp(x->data, y->data, x->size) == 0;
}

MiniObject *str_concat(MiniObject *a, MiniObject *b) {
    size_t sa = STR_SIZE(a), sb = STR_SIZE(b);
    if (sb == 0 && a->type == &mini_str_type)
        return mini_newref(a);
    if (sa == 0 && b->type == &mini_str_type)
        return mini_newref(b);
    if (sa > SIZE_MAX / 2 || sb > SIZE_MAX / 2)
        return mini_raise_memory();
    MiniObject *r = str_alloc(sa + sb, STR_LEN(a) + STR_LEN(b),
                              ((MiniStr *)a)->ascii && ((MiniStr *)b)->ascii);
    if (!r)
        return NULL;
    memcpy(STR_DATA(r), STR_DATA(a), sa);
    memcpy(STR_DATA(r) + sa, STR_DATA(b), sb);
    return r;
}

MiniObject *str_join(MiniObject *sep, MiniObject *seq) {
    MiniObject *const *items;
    size_t n;
    if (list_check(seq)) {
        items = LIST_ITEMS(seq);
        n = LIST_SIZE(seq);
    } else if (tuple_check(seq)) {
        items = TUPLE_ITEMS(seq);
        n = TUPLE_SIZE(seq);
    } else {
        return mini_raise_str(mini_exc_TypeError, "can only join an iterable");
    }
    if (n == 1 && str_check(items[0]) && items[0]->type == &mini_str_type)
        return mini_newref(items[0]);
    size_t size = 0, length = 0;
    bool ascii = ((MiniStr *)sep)->ascii;
    for (size_t i = 0; i < n; i++) {
        MiniObject *it = items[i];
        if (!str_check(it))
            return mini_raise(mini_exc_TypeError, "sequence item %zu: expected str instance, %s found",
                              i, mini_type_name(it));
        if (STR_SIZE(it) > MINI_MAX_ALLOC || size > MINI_MAX_ALLOC)
            return mini_raise_memory();
        size += STR_SIZE(it);
        length += STR_LEN(it);
        ascii = ascii && ((MiniStr *)it)->ascii;
    }
    if (n > 1) {
        if (STR_SIZE(sep) && (n - 1) > MINI_MAX_ALLOC / STR_SIZE(sep))
            return mini_raise_memory();
        size += STR_SIZE(sep) * (n - 1);
        length += STR_LEN(sep) * (n - 1);
    }
    if (size == 0)
        return mini_newref(mini_runtime.empty_str);
    MiniObject *r = str_alloc(size, length, ascii);
    if (!r)
        return NULL;
    char *p = STR_DATA(r);
    for (size_t i = 0; i < n; i++) {
        if (i && STR_SIZE(sep)) {
            memcpy(p, STR_DATA(sep), STR_SIZE(sep));
            p += STR_SIZE(sep);
        }
        memcpy(p, STR_DATA(items[i]), STR_SIZE(items[i]));
        p += STR_SIZE(items[i]);
    }
    return r;
}

size_t str_byte_offset(MiniObject *s, size_t i) {
    MiniStr *st = (MiniStr *)s;
    if (st->ascii)
        return i;
    if (i >= st->length)
        return st->size;
    const unsigned char *p = (const unsigned char *)st->data;
    if (i > st->length / 2) {
        // Walk back from the end: the tail is shorter.
        size_t off = st->size, k = st->length;
        while (k > i) {
            off--;
            while ((p[off] & 0xc0) == 0x80)
                off--;
            k--;
        }
        return off;
    }
    size_t off = 0;
    while (i--)
        off += utf8_seqlen(p[off]);
    return off;
}

// A one-character str for code point [cp]. New reference.
static MiniObject *char_str(uint32_t cp) {
    if (cp < 0x80)
        return mini_runtime.char_strs[cp];
    char buf[4];
    size_t n = utf8_encode(cp, buf);
    return str_new_known(buf, n, 1);
}

MiniObject *str_getchar(MiniObject *s, size_t i) {
    if (((MiniStr *)s)->ascii)
        return mini_runtime.char_strs[(unsigned char)STR_DATA(s)[i]];
    size_t off = str_byte_offset(s, i), n;
    uint32_t cp = utf8_decode((const unsigned char *)STR_DATA(s) + off, &n);
    return char_str(cp);
}

// The code points [start, end) of [s] as an exact str. New reference.
static MiniObject *substr(MiniObject *s, size_t start, size_t end) {
    if (start >= end)
        return mini_newref(mini_runtime.empty_str);
    if (start == 0 && end == STR_LEN(s))
        return str_exact(s);
    if (end - start == 1)
        return str_getchar(s, start);
    size_t b0 = str_byte_offset(s, start);
    size_t b1;
    if (((MiniStr *)s)->ascii) {
        b1 = end;
    } else {
        b1 = b0;
        const unsigned char *p = (const unsigned char *)STR_DATA(s);
        for (size_t k = start; k < end; k++)
            b1 += utf8_seqlen(p[b1]);
    }
    return str_new_known(STR_DATA(s) + b0, b1 - b0, end - start);
}

// A str from a byte range of [s] known to hold whole code points. New reference.
static MiniObject *subbytes(MiniObject *s, size_t b0, size_t b1) {
    if (b0 == 0 && b1 == STR_SIZE(s))
        return str_exact(s);
    if (((MiniStr *)s)->ascii)
        return str_new_known(STR_DATA(s) + b0, b1 - b0, b1 - b0);
    return str_new(STR_DATA(s) + b0, b1 - b0);
}

// ---------------------------------------------------------------------------------------------
// StrBuf and the printf-style engine
// ---------------------------------------------------------------------------------------------

void strbuf_init(StrBuf *b) {
    b->data = NULL;
    b->size = b->cap = 0;
    b->failed = false;
}

// Makes room for [n] more bytes. False (and failed set, MemoryError pending) if it cannot.
static bool strbuf_reserve(StrBuf *b, size_t n) {
    if (b->failed)
        return false;
    if (n <= b->cap - b->size)
        return true;
    if (n > MINI_MAX_ALLOC || b->size > MINI_MAX_ALLOC) {
        b->failed = true;
        mini_raise_memory();
        return false;
    }
    size_t cap = b->cap ? b->cap : 64;
    while (cap - b->size < n)
        cap *= 2;
    char *p = mini_realloc(b->data, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void strbuf_add(StrBuf *b, const char *s, size_t n) {
    if (n == 0 || !strbuf_reserve(b, n))
        return;
    memcpy(b->data + b->size, s, n);
    b->size += n;
}

void strbuf_addc(StrBuf *b, char c) {
    if (!strbuf_reserve(b, 1))
        return;
    b->data[b->size++] = c;
}

void strbuf_adds(StrBuf *b, const char *s) { strbuf_add(b, s, strlen(s)); }

void strbuf_add_obj(StrBuf *b, MiniObject *str) { strbuf_add(b, STR_DATA(str), STR_SIZE(str)); }

// Appends [n] copies of [c].
static void strbuf_addn(StrBuf *b, char c, size_t n) {
    if (n == 0 || !strbuf_reserve(b, n))
        return;
    memset(b->data + b->size, c, n);
    b->size += n;
}

// Appends code point [cp] as UTF-8.
static void strbuf_addcp(StrBuf *b, uint32_t cp) {
    char buf[4];
    strbuf_add(b, buf, utf8_encode(cp, buf));
}

MiniObject *strbuf_finish(StrBuf *b) {
    if (b->failed) {
        strbuf_free(b);
        return NULL;
    }
    MiniObject *r = str_new(b->data ? b->data : "", b->size);
    strbuf_free(b);
    return r;
}

void strbuf_free(StrBuf *b) {
    mini_free(b->data);
    b->data = NULL;
    b->size = b->cap = 0;
}

// Appends the text of str [s], cut to [prec] code points when prec >= 0.
static void add_text_prec(StrBuf *b, MiniObject *s, long prec) {
    if (prec >= 0 && (size_t)prec < STR_LEN(s))
        strbuf_add(b, STR_DATA(s), str_byte_offset(s, (size_t)prec));
    else
        strbuf_add_obj(b, s);
}

void strbuf_vaddf(StrBuf *b, const char *fmt, va_list ap) {
    const char *p = fmt;
    while (*p) {
        const char *pct = strchr(p, '%');
        if (!pct) {
            strbuf_adds(b, p);
            return;
        }
        strbuf_add(b, p, (size_t)(pct - p));
        const char *spec = pct++;
        // Flags, width and precision, copied into a C format for the numeric conversions.
        while (*pct && strchr("-+ #0", *pct))
            pct++;
        while (*pct >= '0' && *pct <= '9')
            pct++;
        long prec = -1;
        if (*pct == '.') {
            pct++;
            prec = 0;
            while (*pct >= '0' && *pct <= '9')
                prec = prec * 10 + (*pct++ - '0');
        }
        int lng = 0; // 1: l, 2: ll, 3: z
        if (*pct == 'l') {
            lng = 1;
            pct++;
            if (*pct == 'l') {
                lng = 2;
                pct++;
            }
        } else if (*pct == 'z') {
            lng = 3;
            pct++;
        }
        char conv = *pct;
        if (!conv) {
            strbuf_adds(b, spec);
            return;
        }
        p = pct + 1;
        char cfmt[32];
        size_t flen = (size_t)(p - spec);
        if (flen >= sizeof cfmt)
            flen = sizeof cfmt - 1;
        memcpy(cfmt, spec, flen);
        cfmt[flen] = '\0';
        char num[128];
        int n = 0;
        switch (conv) {
        case '%':
            strbuf_addc(b, '%');
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            size_t len = strlen(s);
            if (prec >= 0) {
                // Cut at a code point boundary, counting code points as CPython's %.Ns does.
                size_t off = 0;
                long k = 0;
                while (off < len && k < prec) {
                    off += utf8_seqlen((unsigned char)s[off]);
                    k++;
                }
                len = off < len ? off : len;
            }
            strbuf_add(b, s, len);
            break;
        }
        case 'c': {
            int c = va_arg(ap, int);
            strbuf_addcp(b, (uint32_t)c);
            break;
        }
        case 'p':
            n = snprintf(num, sizeof num, "%p", va_arg(ap, void *));
            break;
        case 'd':
        case 'i':
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            if (lng == 0)
                n = snprintf(num, sizeof num, cfmt, va_arg(ap, int));
            else if (lng == 1)
                n = snprintf(num, sizeof num, cfmt, va_arg(ap, long));
            else if (lng == 2)
                n = snprintf(num, sizeof num, cfmt, va_arg(ap, long long));
            else
                n = snprintf(num, sizeof num, cfmt, va_arg(ap, size_t));
            break;
        case 'f':
        case 'g':
        case 'e':
            n = snprintf(num, sizeof num, cfmt, va_arg(ap, double));
            break;
        case 'S':
        case 'R': {
            MiniObject *o = va_arg(ap, MiniObject *);
            MiniObject *s = conv == 'S' ? mini_str(o) : mini_repr(o);
            if (!s) {
                // The message cannot hold the text; say so rather than losing the message.
                mini_error_clear();
                strbuf_adds(b, "<unprintable object>");
            } else {
                add_text_prec(b, s, prec);
                MINI_DECREF(s);
            }
            break;
        }
        case 'U': {
            MiniObject *s = va_arg(ap, MiniObject *);
            add_text_prec(b, s, prec);
            break;
        }
        default:
            // An unknown conversion is copied as it stands.
            strbuf_add(b, spec, (size_t)(p - spec));
            break;
        }
        if (n > 0)
            strbuf_add(b, num, (size_t)n < sizeof num ? (size_t)n : sizeof num - 1);
    }
}

void strbuf_addf(StrBuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(b, fmt, ap);
    va_end(ap);
}

MiniObject *str_from_vformat(const char *fmt, va_list ap) {
    StrBuf b;
    strbuf_init(&b);
    strbuf_vaddf(&b, fmt, ap);
    return strbuf_finish(&b);
}

MiniObject *str_from_format(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    MiniObject *r = str_from_vformat(fmt, ap);
    va_end(ap);
    return r;
}

// ---------------------------------------------------------------------------------------------
// repr
// ---------------------------------------------------------------------------------------------

// Appends the escape of a non-printable code point: \xNN, \uNNNN or \UNNNNNNNN.
static void add_escape(StrBuf *b, uint32_t cp) {
    if (cp < 0x100)
        strbuf_addf(b, "\\x%02x", (unsigned)cp);
    else if (cp < 0x10000)
        strbuf_addf(b, "\\u%04x", (unsigned)cp);
    else
        strbuf_addf(b, "\\U%08x", (unsigned)cp);
}

// The text of repr(s) or ascii(s) into [b] (CPython's unicode_repr).
static void repr_into(StrBuf *b, const char *s, size_t size, char quote, bool ascii_only) {
    if (!quote) {
        // Single quotes unless the text has a single quote and no double quote.
        bool sq = memchr(s, '\'', size) != NULL, dq = memchr(s, '"', size) != NULL;
        quote = (sq && !dq) ? '"' : '\'';
    }
    strbuf_addc(b, quote);
    const unsigned char *p = (const unsigned char *)s, *end = p + size;
    while (p < end) {
        const unsigned char *run = p;
        // Copy runs of plain printable ASCII in one go.
        while (p < end && *p >= 0x20 && *p < 0x7f && *p != '\\' && *p != (unsigned char)quote)
            p++;
        if (p > run)
            strbuf_add(b, (const char *)run, (size_t)(p - run));
        if (p >= end)
            break;
        size_t n;
        uint32_t cp = utf8_decode(p, &n);
        if (cp == (uint32_t)(unsigned char)quote || cp == '\\') {
            strbuf_addc(b, '\\');
            strbuf_addc(b, (char)cp);
        } else if (cp == '\t') {
            strbuf_adds(b, "\\t");
        } else if (cp == '\n') {
            strbuf_adds(b, "\\n");
        } else if (cp == '\r') {
            strbuf_adds(b, "\\r");
        } else if (cp < 0x20 || cp == 0x7f) {
            add_escape(b, cp);
        } else if (cp < 0x80) {
            strbuf_addc(b, (char)cp);
        } else if (ascii_only || !(str_uc_flags(cp) & UC_PRINTABLE)) {
            add_escape(b, cp);
        } else {
            strbuf_add(b, (const char *)p, n);
        }
        p += n;
    }
    strbuf_addc(b, quote);
}

void str_repr_into(StrBuf *b, const char *s, size_t size, char quote) {
    repr_into(b, s, size, quote, false);
}

void str_ascii_into(StrBuf *b, const char *s, size_t size) { repr_into(b, s, size, 0, true); }

// repr(str): new str.
static MiniObject *str_repr(MiniObject *self) {
    StrBuf b;
    strbuf_init(&b);
    repr_into(&b, STR_DATA(self), STR_SIZE(self), 0, false);
    return strbuf_finish(&b);
}

// str(str): the object itself for an exact str, a plain copy for a subclass. New reference.
static MiniObject *str_str(MiniObject *self) { return str_exact(self); }

// ---------------------------------------------------------------------------------------------
// Codecs
// ---------------------------------------------------------------------------------------------

typedef enum { ENC_UTF8, ENC_ASCII, ENC_LATIN1, ENC_UNKNOWN } Encoding;
typedef enum { ERR_STRICT, ERR_REPLACE, ERR_IGNORE, ERR_BACKSLASH, ERR_SURROGATEESCAPE,
               ERR_XMLCHARREF, ERR_UNKNOWN } ErrorMode;

// Recognises an encoding name the way Python's codec registry normalises it (case, '-' vs
// '_' vs ' ').
static Encoding parse_encoding(MiniObject *name) {
    if (!name)
        return ENC_UTF8;
    char buf[32];
    size_t n = STR_SIZE(name);
    if (n >= sizeof buf)
        return ENC_UNKNOWN;
    for (size_t i = 0; i < n; i++) {
        char c = STR_DATA(name)[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c == '-' || c == ' ')
            c = '_';
        buf[i] = c;
    }
    buf[n] = '\0';
    static const char *const utf8[] = {"utf_8", "utf8", "u8", "utf", "cp65001"};
    static const char *const ascii[] = {"ascii", "us_ascii", "646", "us"};
    static const char *const latin1[] = {"latin_1", "latin1", "latin", "iso_8859_1",
                                         "iso8859_1", "8859", "cp819", "l1", "iso_ir_100"};
    for (size_t i = 0; i < COUNT_OF(utf8); i++)
        if (!strcmp(buf, utf8[i]))
            return ENC_UTF8;
    for (size_t i = 0; i < COUNT_OF(ascii); i++)
        if (!strcmp(buf, ascii[i]))
            return ENC_ASCII;
    for (size_t i = 0; i < COUNT_OF(latin1); i++)
        if (!strcmp(buf, latin1[i]))
            return ENC_LATIN1;
    return ENC_UNKNOWN;
}

static const char *const encoding_names[] = {"utf-8", "ascii", "latin-1"};

static ErrorMode parse_errors(MiniObject *errors) {
    if (!errors)
        return ERR_STRICT;
    const char *e = STR_DATA(errors);
    if (!strcmp(e, "strict"))
        return ERR_STRICT;
    if (!strcmp(e, "replace"))
        return ERR_REPLACE;
    if (!strcmp(e, "ignore"))
        return ERR_IGNORE;
    if (!strcmp(e, "backslashreplace"))
        return ERR_BACKSLASH;
    if (!strcmp(e, "surrogateescape"))
        return ERR_SURROGATEESCAPE;
    if (!strcmp(e, "xmlcharrefreplace"))
        return ERR_XMLCHARREF;
    return ERR_UNKNOWN;
}

static MiniObject *unknown_encoding(MiniObject *name) {
    return mini_raise(mini_exc_LookupError, "unknown encoding: %U", name);
}

// Raises the Unicode error of class [type] built from CPython's five arguments.
static MiniObject *raise_unicode_error(MiniType *type, const char *encoding, MiniObject *object,
                                       size_t start, size_t end, const char *reason) {
    MiniObject *args[5];
    args[0] = str_from_cstr(encoding);
    args[1] = object;
    args[2] = int_from_i64((int64_t)start);
    args[3] = int_from_i64((int64_t)end);
    args[4] = str_from_cstr(reason);
    MiniObject *exc = NULL;
    if (args[0] && args[2] && args[3] && args[4])
        exc = mini_call((MiniObject *)type, args, 5, NULL);
    MINI_XDECREF(args[0]);
    MINI_XDECREF(args[2]);
    MINI_XDECREF(args[3]);
    MINI_XDECREF(args[4]);
    if (exc) {
        mini_raise_object(exc);
        MINI_DECREF(exc);
    }
    return NULL;
}

static MiniObject *raise_decode_error(const char *encoding, const char *data, size_t size,
                                      size_t start, size_t end, const char *reason) {
    MiniObject *obj = bytes_new(data, size);
    if (!obj)
        return NULL;
    raise_unicode_error(mini_exc_UnicodeDecodeError, encoding, obj, start, end, reason);
    MINI_DECREF(obj);
    return NULL;
}

// Examines the UTF-8 sequence at data[i]: returns its length when valid, else 0 with the
// error's end offset and reason (CPython's rules for which bytes one error covers).
static size_t utf8_check_seq(const unsigned char *d, size_t size, size_t i, size_t *err_end,
                             const char **reason) {
    unsigned char c = d[i];
    if (c < 0x80)
        return 1;
    size_t need;
    unsigned char lo = 0x80, hi = 0xbf; // the allowed range of the second byte
    if (c >= 0xc2 && c <= 0xdf)
        need = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        need = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else {
        *err_end = i + 1;
        *reason = "invalid start byte";
        return 0;
    }
    for (size_t k = 1; k < need; k++) {
        if (i + k >= size) {
            *err_end = size;
            *reason = "unexpected end of data";
            return 0;
        }
        unsigned char x = d[i + k];
        bool ok = k == 1 ? (x >= lo && x <= hi) : (x >= 0x80 && x <= 0xbf);
        if (!ok) {
            *err_end = i + k;
            *reason = "invalid continuation byte";
            return 0;
        }
    }
    return need;
}

// Handles one decoding error of bytes [start, end) in non-strict mode. False to raise.
static bool decode_recover(StrBuf *b, ErrorMode mode, const unsigned char *d, size_t start,
                           size_t end) {
    switch (mode) {
    case ERR_REPLACE:
        strbuf_adds(b, "\xef\xbf\xbd");
        return true;
    case ERR_IGNORE:
        return true;
    case ERR_BACKSLASH:
        for (size_t k = start; k < end; k++)
            strbuf_addf(b, "\\x%02x", d[k]);
        return true;
    case ERR_SURROGATEESCAPE:
        for (size_t k = start; k < end; k++) {
            if (d[k] < 0x80)
                return false;
            strbuf_addcp(b, 0xdc00 + d[k]);
        }
        return true;
    default:
        return false;
    }
}

MiniObject *str_decode_utf8(const char *bytes, size_t size) {
    return str_decode(bytes, size, NULL, NULL);
}

MiniObject *str_decode(const char *data, size_t size, MiniObject *encoding, MiniObject *errors) {
    Encoding enc = parse_encoding(encoding);
    if (enc == ENC_UNKNOWN)
        return unknown_encoding(encoding);
    ErrorMode mode = parse_errors(errors);
    const unsigned char *d = (const unsigned char *)data;
    // Fast path: pure ASCII is the same in all three encodings.
    size_t i = 0;
    while (i < size && d[i] < 0x80)
        i++;
    if (i == size)
        return str_new_known(data, size, size);
    if (enc == ENC_LATIN1) {
        StrBuf b;
        strbuf_init(&b);
        for (size_t k = 0; k < size; k++)
            strbuf_addcp(&b, d[k]);
        return strbuf_finish(&b);
    }
    if (enc == ENC_UTF8) {
        // Validate first: valid text (the common case) is copied in one piece.
        size_t j = i, err_end = 0;
        const char *reason = NULL;
        while (j < size) {
            size_t n = utf8_check_seq(d, size, j, &err_end, &reason);
            if (!n)
                break;
            j += n;
        }
        if (j == size)
            return str_new(data, size);
    }
    StrBuf b;
    strbuf_init(&b);
    i = 0;
    while (i < size) {
        size_t n, err_end = i + 1;
        const char *reason = "ordinal not in range(128)";
        if (enc == ENC_UTF8)
            n = utf8_check_seq(d, size, i, &err_end, &reason);
        else
            n = d[i] < 0x80 ? 1 : 0;
        if (n) {
            strbuf_add(&b, data + i, n);
            i += n;
            continue;
        }
        if (mode == ERR_UNKNOWN) {
            strbuf_free(&b);
            return mini_raise(mini_exc_LookupError, "unknown error handler name '%U'", errors);
        }
        if (!decode_recover(&b, mode, d, i, err_end)) {
            strbuf_free(&b);
            return raise_decode_error(encoding_names[enc], data, size, i, err_end, reason);
        }
        i = err_end;
    }
    return strbuf_finish(&b);
}

MiniObject *str_encode(MiniObject *s, MiniObject *encoding, MiniObject *errors) {
    Encoding enc = parse_encoding(encoding);
    if (enc == ENC_UNKNOWN)
        return unknown_encoding(encoding);
    const unsigned char *d = (const unsigned char *)STR_DATA(s);
    size_t size = STR_SIZE(s);
    if (((MiniStr *)s)->ascii)
        return bytes_new(STR_DATA(s), size);
    ErrorMode mode = parse_errors(errors);
    uint32_t limit = enc == ENC_ASCII ? 0x80 : enc == ENC_LATIN1 ? 0x100 : 0x110000;
    StrBuf b;
    strbuf_init(&b);
    size_t i = 0, pos = 0; // byte offset and code point index
    while (i < size) {
        size_t n;
        uint32_t cp = utf8_decode(d + i, &n);
        bool bad = cp >= limit || (cp >= 0xd800 && cp <= 0xdfff);
        if (!bad) {
            if (enc == ENC_UTF8)
                strbuf_add(&b, (const char *)d + i, n);
            else
                strbuf_addc(&b, (char)cp);
            i += n;
            pos++;
            continue;
        }
        // A run of characters that cannot be encoded is one error (CPython reports "in
        // position 0-2" for three of them).
        size_t j = i, endpos = pos;
        while (j < size) {
            size_t m;
            uint32_t c2 = utf8_decode(d + j, &m);
            if (!(c2 >= limit || (c2 >= 0xd800 && c2 <= 0xdfff)))
                break;
            j += m;
            endpos++;
        }
        bool ok = true;
        switch (mode) {
        case ERR_REPLACE:
            strbuf_addn(&b, '?', endpos - pos);
            break;
        case ERR_IGNORE:
            break;
        case ERR_BACKSLASH:
        case ERR_XMLCHARREF:
            for (size_t k = i; k < j;) {
                size_t m;
                uint32_t c2 = utf8_decode(d + k, &m);
                if (mode == ERR_XMLCHARREF)
                    strbuf_addf(&b, "&#%u;", (unsigned)c2);
                else
                    add_escape(&b, c2);
                k += m;
            }
            break;
        case ERR_SURROGATEESCAPE:
            for (size_t k = i; k < j && ok;) {
                size_t m;
                uint32_t c2 = utf8_decode(d + k, &m);
                if (c2 >= 0xdc80 && c2 <= 0xdcff)
                    strbuf_addc(&b, (char)(c2 - 0xdc00));
                else
                    ok = false;
                k += m;
            }
            break;
        default:
            ok = false;
            break;
        }
        if (!ok) {
            strbuf_free(&b);
            if (mode == ERR_UNKNOWN)
                return mini_raise(mini_exc_LookupError, "unknown error handler name '%U'",
                                  errors);
            const char *reason = enc == ENC_ASCII    ? "ordinal not in range(128)"
                                 : enc == ENC_LATIN1 ? "ordinal not in range(256)"
                                                     : "surrogates not allowed";
            return raise_unicode_error(mini_exc_UnicodeEncodeError, encoding_names[enc], s, pos,
                                       endpos, reason);
        }
        i = j;
        pos = endpos;
    }
    if (b.failed) {
        strbuf_free(&b);
        return NULL;
    }
    MiniObject *r = bytes_new(b.data ? b.data : "", b.size);
    strbuf_free(&b);
    return r;
}

// ---------------------------------------------------------------------------------------------
// Argument checks in CPython's wordings
// ---------------------------------------------------------------------------------------------

bool str_check_args(ArgsStyle style, const char *tname, const char *fname, size_t nargs,
                    MiniObject *kwnames, size_t min, size_t max) {
    if (kwnames && TUPLE_SIZE(kwnames)) {
        mini_raise(mini_exc_TypeError, "%s.%s() takes no keyword arguments", tname, fname);
        return false;
    }
    if (nargs >= min && nargs <= max)
        return true;
    switch (style) {
    case ARGS_NONE:
        mini_raise(mini_exc_TypeError, "%s.%s() takes no arguments (%zu given)", tname, fname,
                   nargs);
        break;
    case ARGS_ONE:
        mini_raise(mini_exc_TypeError, "%s.%s() takes exactly one argument (%zu given)", tname,
                   fname, nargs);
        break;
    case ARGS_CLINIC:
        if (min == max)
            mini_raise(mini_exc_TypeError, "%s expected %zu argument%s, got %zu", fname, min,
                       min == 1 ? "" : "s", nargs);
        else if (nargs < min)
            mini_raise(mini_exc_TypeError, "%s expected at least %zu argument%s, got %zu", fname,
                       min, min == 1 ? "" : "s", nargs);
        else
            mini_raise(mini_exc_TypeError, "%s expected at most %zu argument%s, got %zu", fname,
                       max, max == 1 ? "" : "s", nargs);
        break;
    case ARGS_TUPLE:
        if (nargs < min)
            mini_raise(mini_exc_TypeError, "%s() takes at least %zu argument%s (%zu given)",
                       fname, min, min == 1 ? "" : "s", nargs);
        else
            mini_raise(mini_exc_TypeError, "%s() takes at most %zu argument%s (%zu given)",
                       fname, max, max == 1 ? "" : "s", nargs);
        break;
    }
    return false;
}

bool str_parse_kwargs(const char *fname, MiniObject *const *args, size_t nargs,
                      MiniObject *kwnames, const char *const *names, size_t n,
                      MiniObject **out) {
    // CPython's order: the count of all the arguments, then a keyword repeating a positional
    // argument, then an unknown keyword.
    size_t nkw = kwnames ? TUPLE_SIZE(kwnames) : 0;
    if (nargs + nkw > n) {
        mini_raise(mini_exc_TypeError, "%s() takes at most %zu %sargument%s (%zu given)", fname, n,
                   nargs == 0 ? "keyword " : "", n == 1 ? "" : "s", nargs + nkw);
        return false;
    }
    for (size_t i = 0; i < nargs; i++)
        out[i] = args[i];
    for (size_t k = 0; k < nkw; k++) {
        const char *kname = STR_DATA(TUPLE_GET(kwnames, k));
        for (size_t i = 0; i < nargs; i++)
            if (!strcmp(names[i], kname)) {
                mini_raise(mini_exc_TypeError,
                           "argument for %s() given by name ('%s') and position (%zu)", fname,
                           kname, i + 1);
                return false;
            }
    }
    for (size_t k = 0; k < nkw; k++) {
        const char *kname = STR_DATA(TUPLE_GET(kwnames, k));
        size_t idx = n;
        for (size_t i = 0; i < n; i++)
            if (!strcmp(names[i], kname)) {
                idx = i;
                break;
            }
        if (idx == n) {
            mini_raise(mini_exc_TypeError, "'%s' is an invalid keyword argument for %s()", kname,
                       fname);
            return false;
        }
        out[idx] = args[nargs + k];
    }
    return true;
}


bool str_arg_int(MiniObject *o, int *out) {
    MiniObject *i = mini_index(o);
    if (!i)
        return false;
    int64_t v;
    bool ok = int_as_i64(i, &v) && v >= INT_MIN && v <= INT_MAX;
    MINI_DECREF(i);
    if (!ok) {
        mini_error_clear();
        mini_raise_str(mini_exc_OverflowError, "Python int too large to convert to C int");
        return false;
    }
    *out = (int)v;
    return true;
}

bool str_slice_index(MiniObject *o, ssize_t *out) {
    if (!o || o == MINI_NONE)
        return true;
    if (!mini_type(o)->nb_index && !int_check(o)) {
        mini_raise_str(mini_exc_TypeError,
                       "slice indices must be integers or None or have an __index__ method");
        return false;
    }
    MiniObject *i = mini_index(o);
    if (!i)
        return false;
    int64_t v;
    if (!int_as_i64(i, &v)) {
        // Out of range indices clamp, as CPython's _PyEval_SliceIndex does.
        mini_error_clear();
        v = int_sign(i) < 0 ? -(int64_t)(SIZE_MAX >> 1) : (int64_t)(SIZE_MAX >> 1);
    }
    MINI_DECREF(i);
    *out = (ssize_t)v;
    return true;
}

void str_adjust_indices(ssize_t *start, ssize_t *end, ssize_t len) {
    if (*end > len)
        *end = len;
    else if (*end < 0) {
        *end += len;
        if (*end < 0)
            *end = 0;
    }
    if (*start < 0) {
        *start += len;
        if (*start < 0)
            *start = 0;
    }
}

// ---------------------------------------------------------------------------------------------
// Searching
// ---------------------------------------------------------------------------------------------

// The last occurrence of [needle] in [hay], or NULL.
static const char *rfind_bytes(const char *hay, size_t hlen, const char *needle, size_t nlen) {
    if (nlen > hlen)
        return NULL;
    if (nlen == 0)
        return hay + hlen;
    for (size_t i = hlen - nlen + 1; i-- > 0;)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, nlen) == 0)
            return hay + i;
    return NULL;
}

// Counts non-overlapping occurrences of [needle] in [hay], at most [max].
static size_t count_bytes(const char *hay, size_t hlen, const char *needle, size_t nlen,
                          size_t max) {
    size_t n = 0;
    const char *p = hay, *end = hay + hlen;
    while (n < max && (size_t)(end - p) >= nlen) {
        const char *q = memmem(p, (size_t)(end - p), needle, nlen);
        if (!q)
            break;
        n++;
        p = q + nlen;
    }
    return n;
}

// Parses (sub, [start, [end]]) for find and friends; [sub] may be any object when
// [any_sub] (startswith accepts tuples). Resolves start/end to clamped code point indices.
static bool parse_sub_args(const char *fname, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames, MiniObject *self, MiniObject **sub,
                           ssize_t *start, ssize_t *end, bool any_sub) {
    if (!str_check_args(ARGS_TUPLE, "str", fname, nargs, kwnames, 1, 3))
        return false;
    // The indices are converted before the substring is looked at, as in CPython.
    *start = 0;
    *end = SSIZE_MAX;
    if (nargs > 1 && !str_slice_index(args[1], start))
        return false;
    if (nargs > 2 && !str_slice_index(args[2], end))
        return false;
    *sub = args[0];
    if (!any_sub && !str_check(*sub)) {
        mini_raise(mini_exc_TypeError, "must be str, not %s", mini_type_name(*sub));
        return false;
    }
    str_adjust_indices(start, end, (ssize_t)STR_LEN(self));
    return true;
}

// find/rfind on code point range [start, end): the index or -1.
static ssize_t find_in(MiniObject *self, MiniObject *sub, ssize_t start, ssize_t end,
                       bool reverse) {
    ssize_t len = (ssize_t)STR_LEN(self);
    if (start > len || end - start < (ssize_t)STR_LEN(sub))
        return -1;
    size_t b0 = str_byte_offset(self, (size_t)start), b1 = str_byte_offset(self, (size_t)end);
    const char *hay = STR_DATA(self) + b0;
    const char *p = reverse ? rfind_bytes(hay, b1 - b0, STR_DATA(sub), STR_SIZE(sub))
                            : memmem(hay, b1 - b0, STR_DATA(sub), STR_SIZE(sub));
    if (!STR_SIZE(sub))
        p = reverse ? hay + (b1 - b0) : hay;
    if (!p)
        return -1;
    if (((MiniStr *)self)->ascii)
        return (ssize_t)(p - STR_DATA(self));
    return start + (ssize_t)utf8_count(hay, (size_t)(p - hay));
}

static MiniObject *find_common(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames, const char *fname, bool reverse,
                               bool raise) {
    MiniObject *sub;
    ssize_t start, end;
    if (!parse_sub_args(fname, args, nargs, kwnames, self, &sub, &start, &end, false))
        return NULL;
    ssize_t r = find_in(self, sub, start, end, reverse);
    if (r < 0 && raise)
        return mini_raise_str(mini_exc_ValueError, "substring not found");
    return int_from_i64(r);
}

static MiniObject *str_find(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    return find_common(self, args, nargs, kwnames, "find", false, false);
}
static MiniObject *str_rfind(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    return find_common(self, args, nargs, kwnames, "rfind", true, false);
}
static MiniObject *str_index(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    return find_common(self, args, nargs, kwnames, "index", false, true);
}
static MiniObject *str_rindex(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    return find_common(self, args, nargs, kwnames, "rindex", true, true);
}

static MiniObject *str_count(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    MiniObject *sub;
    ssize_t start, end;
    if (!parse_sub_args("count", args, nargs, kwnames, self, &sub, &start, &end, false))
        return NULL;
    ssize_t len = (ssize_t)STR_LEN(self);
    if (start > len || end < start)
        return int_from_i64(0);
    if (STR_LEN(sub) == 0)
        return int_from_i64(end - start + 1);
    size_t b0 = str_byte_offset(self, (size_t)start), b1 = str_byte_offset(self, (size_t)end);
    return int_from_i64((int64_t)count_bytes(STR_DATA(self) + b0, b1 - b0, STR_DATA(sub),
                                             STR_SIZE(sub), SIZE_MAX));
}

// Does [sub] match at the start (or end) of code points [start, end) of [self]?
static bool match_at(MiniObject *self, MiniObject *sub, ssize_t start, ssize_t end,
                     bool suffix) {
    ssize_t len = (ssize_t)STR_LEN(self), slen = (ssize_t)STR_LEN(sub);
    if (start > len)
        return false;
    if (end - start < slen)
        return false;
    size_t off = suffix ? str_byte_offset(self, (size_t)(end - slen))
                        : str_byte_offset(self, (size_t)start);
    return memcmp(STR_DATA(self) + off, STR_DATA(sub), STR_SIZE(sub)) == 0;
}

static MiniObject *startsends(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames, const char *fname, bool suffix) {
    MiniObject *sub;
    ssize_t start, end;
    if (!parse_sub_args(fname, args, nargs, kwnames, self, &sub, &start, &end, true))
        return NULL;
    if (tuple_check(sub)) {
        for (size_t i = 0; i < TUPLE_SIZE(sub); i++) {
            MiniObject *item = TUPLE_GET(sub, i);
            if (!str_check(item))
                return mini_raise(mini_exc_TypeError,
                                  "tuple for %s must only contain str, not %s", fname,
                                  mini_type_name(item));
            if (match_at(self, item, start, end, suffix))
                return MINI_TRUE;
        }
        return MINI_FALSE;
    }
    if (!str_check(sub))
        return mini_raise(mini_exc_TypeError,
                          "%s first arg must be str or a tuple of str, not %s", fname,
                          mini_type_name(sub));
    return MINI_BOOL(match_at(self, sub, start, end, suffix));
}

static MiniObject *str_startswith(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    return startsends(self, args, nargs, kwnames, "startswith", false);
}
static MiniObject *str_endswith(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    return startsends(self, args, nargs, kwnames, "endswith", true);
}

static int str_contains(MiniObject *self, MiniObject *item) {
    if (!str_check(item)) {
        mini_raise(mini_exc_TypeError, "'in <string>' requires string as left operand, not %s",
                   mini_type_name(item));
        return -1;
    }
    if (STR_SIZE(item) == 0)
        return 1;
    return memmem(STR_DATA(self), STR_SIZE(self), STR_DATA(item), STR_SIZE(item)) != NULL;
}

// ---------------------------------------------------------------------------------------------
// Splitting, joining, stripping
// ---------------------------------------------------------------------------------------------

static bool is_space_cp(uint32_t cp) { return str_is_space(cp); }

// Is the code point at byte [off] whitespace? Stores its length in [n]. ASCII, by far the
// common case, is decided without decoding.
static inline bool space_at(const char *s, size_t off, size_t *n) {
    unsigned char c = (unsigned char)s[off];
    if (c < 0x80) {
        *n = 1;
        return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
    }
    return is_space_cp(utf8_decode((const unsigned char *)s + off, n));
}

// Is the code point that ends at byte [off] whitespace? Stores its length in [n].
static bool space_before(const char *s, size_t off, size_t *n) {
    size_t k = off - 1;
    while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
        k--;
    size_t m;
    bool r = space_at(s, k, &m);
    *n = off - k;
    return r;
}

// Appends the byte range [b0, b1) of [self] to [list] as a str. -1 on error.
static int append_piece(MiniObject *list, MiniObject *self, size_t b0, size_t b1) {
    MiniObject *piece = subbytes(self, b0, b1);
    if (!piece)
        return -1;
    int r = list_append(list, piece);
    MINI_DECREF(piece);
    return r;
}

// Reverses a list in place (rsplit collects pieces from the right).
static void reverse_list(MiniObject *list) {
    MiniObject **items = LIST_ITEMS(list);
    size_t n = LIST_SIZE(list);
    for (size_t i = 0; i < n / 2; i++) {
        MiniObject *t = items[i];
        items[i] = items[n - 1 - i];
        items[n - 1 - i] = t;
    }
}

// split/rsplit: [sep] NULL for whitespace mode.
static MiniObject *split_impl(MiniObject *self, MiniObject *sep, ssize_t maxsplit, bool right) {
    const char *s = STR_DATA(self);
    size_t size = STR_SIZE(self);
    if (maxsplit < 0)
        maxsplit = SSIZE_MAX;
    MiniObject *list = list_new(0);
    if (!list)
        return NULL;
    if (!sep) {
        if (!right) {
            size_t i = 0, n;
            while (true) {
                while (i < size && space_at(s, i, &n))
                    i += n;
                if (i >= size)
                    break;
                if (maxsplit-- == 0) {
                    // The rest, trailing whitespace included, is the last piece.
                    if (append_piece(list, self, i, size) < 0)
                        goto error;
                    break;
                }
                size_t j = i;
                while (j < size && !space_at(s, j, &n))
                    j += n;
                if (append_piece(list, self, i, j) < 0)
                    goto error;
                i = j;
            }
        } else {
            size_t i = size, n;
            while (true) {
                while (i > 0 && space_before(s, i, &n))
                    i -= n;
                if (i == 0)
                    break;
                if (maxsplit-- == 0) {
                    if (append_piece(list, self, 0, i) < 0)
                        goto error;
                    break;
                }
                size_t j = i;
                while (j > 0 && !space_before(s, j, &n))
                    j -= n;
                if (append_piece(list, self, j, i) < 0)
                    goto error;
                i = j;
            }
            reverse_list(list);
        }
        return list;
    }
    const char *sp = STR_DATA(sep);
    size_t slen = STR_SIZE(sep);
    if (slen == 0) {
        MINI_DECREF(list);
        return mini_raise_str(mini_exc_ValueError, "empty separator");
    }
    if (!right) {
        size_t i = 0;
        while (maxsplit-- > 0) {
            const char *q = memmem(s + i, size - i, sp, slen);
            if (!q)
                break;
            size_t j = (size_t)(q - s);
            if (append_piece(list, self, i, j) < 0)
                goto error;
            i = j + slen;
        }
        if (append_piece(list, self, i, size) < 0)
            goto error;
    } else {
        size_t i = size;
        while (maxsplit-- > 0) {
            const char *q = rfind_bytes(s, i, sp, slen);
            if (!q)
                break;
            size_t j = (size_t)(q - s);
            if (append_piece(list, self, j + slen, i) < 0)
                goto error;
            i = j;
        }
        if (append_piece(list, self, 0, i) < 0)
            goto error;
        reverse_list(list);
    }
    return list;
error:
    MINI_DECREF(list);
    return NULL;
}

static MiniObject *split_method(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames, const char *fname, bool right) {
    static const char *const names[] = {"sep", "maxsplit"};
    MiniObject *a[2] = {NULL, NULL};
    if (!str_parse_kwargs(fname, args, nargs, kwnames, names, 2, a))
        return NULL;
    // maxsplit is converted before sep is looked at, as Argument Clinic does.
    ssize_t maxsplit = -1;
    if (a[1]) {
        if (!mini_arg_ssize(a[1], &maxsplit))
            return NULL;
    }
    MiniObject *sep = a[0];
    if (sep == MINI_NONE)
        sep = NULL;
    if (sep && !str_check(sep))
        return mini_raise(mini_exc_TypeError, "must be str or None, not %s", mini_type_name(sep));
    return split_impl(self, sep, maxsplit, right);
}

static MiniObject *str_split(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    return split_method(self, args, nargs, kwnames, "split", false);
}
static MiniObject *str_rsplit(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    return split_method(self, args, nargs, kwnames, "rsplit", true);
}

// The byte length of the line break at [s + i], or 0 (str.splitlines's boundaries).
static size_t line_break_at(const char *s, size_t size, size_t i) {
    unsigned char c = (unsigned char)s[i];
    if (c == '\r')
        return (i + 1 < size && s[i + 1] == '\n') ? 2 : 1;
    if (c == '\n' || c == 0x0b || c == 0x0c || (c >= 0x1c && c <= 0x1e))
        return 1;
    if (c == 0xc2 && i + 1 < size && (unsigned char)s[i + 1] == 0x85)
        return 2;
    if (c == 0xe2 && i + 2 < size && (unsigned char)s[i + 1] == 0x80 &&
        ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9))
        return 3;
    return 0;
}

static MiniObject *str_splitlines(MiniObject *self, MiniObject *const *args, size_t nargs,
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
    const char *s = STR_DATA(self);
    size_t size = STR_SIZE(self), start = 0, i = 0;
    while (i < size) {
        size_t n = line_break_at(s, size, i);
        if (!n) {
            i++;
            continue;
        }
        if (append_piece(list, self, start, keep ? i + n : i) < 0) {
            MINI_DECREF(list);
            return NULL;
        }
        i += n;
        start = i;
    }
    if (start < size && append_piece(list, self, start, size) < 0) {
        MINI_DECREF(list);
        return NULL;
    }
    return list;
}

static MiniObject *str_join_method(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    if (!str_check_args(ARGS_ONE, "str", "join", nargs, kwnames, 1, 1))
        return NULL;
    MiniObject *seq = args[0];
    if (list_check(seq) || tuple_check(seq))
        return str_join(self, seq);
    MiniObject *it = mini_iter(seq);
    if (!it) {
        if (mini_error_matches(mini_exc_TypeError)) {
            mini_error_clear();
            mini_raise_str(mini_exc_TypeError, "can only join an iterable");
        }
        return NULL;
    }
    MiniObject *list = mini_sequence_list(it);
    MINI_DECREF(it);
    if (!list)
        return NULL;
    MiniObject *r = str_join(self, list);
    MINI_DECREF(list);
    return r;
}

// Is [cp] among the code points of str [chars]?
static bool in_chars(MiniObject *chars, uint32_t cp) {
    const unsigned char *p = (const unsigned char *)STR_DATA(chars), *end = p + STR_SIZE(chars);
    while (p < end) {
        size_t n;
        if (utf8_decode(p, &n) == cp)
            return true;
        p += n;
    }
    return false;
}

// strip (both ends) / lstrip (left) / rstrip (right).
static MiniObject *strip_impl(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames, const char *fname, bool left, bool right) {
    if (!str_check_args(ARGS_CLINIC, "str", fname, nargs, kwnames, 0, 1))
        return NULL;
    MiniObject *chars = nargs ? args[0] : NULL;
    if (chars == MINI_NONE)
        chars = NULL;
    if (chars && !str_check(chars))
        return mini_raise(mini_exc_TypeError, "%s arg must be None or str", fname);
    const char *s = STR_DATA(self);
    size_t i = 0, j = STR_SIZE(self), n;
    if (left) {
        while (i < j) {
            uint32_t cp = utf8_decode((const unsigned char *)s + i, &n);
            if (chars ? !in_chars(chars, cp) : !is_space_cp(cp))
                break;
            i += n;
        }
    }
    if (right) {
        while (j > i) {
            size_t k = j - 1;
            while (k > i && ((unsigned char)s[k] & 0xc0) == 0x80)
                k--;
            uint32_t cp = utf8_decode((const unsigned char *)s + k, &n);
            if (chars ? !in_chars(chars, cp) : !is_space_cp(cp))
                break;
            j = k;
        }
    }
    return subbytes(self, i, j);
}

static MiniObject *str_strip(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    return strip_impl(self, args, nargs, kwnames, "strip", true, true);
}
static MiniObject *str_lstrip(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    return strip_impl(self, args, nargs, kwnames, "lstrip", true, false);
}
static MiniObject *str_rstrip(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    return strip_impl(self, args, nargs, kwnames, "rstrip", false, true);
}

static MiniObject *str_replace(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    if (!str_check_args(ARGS_CLINIC, "str", "replace", nargs, kwnames, 2, 3))
        return NULL;
    MiniObject *old = args[0], *new = args[1];
    if (!str_check(old))
        return mini_raise(mini_exc_TypeError, "replace() argument 1 must be str, not %s",
                          clinic_type_name(old));
    if (!str_check(new))
        return mini_raise(mini_exc_TypeError, "replace() argument 2 must be str, not %s",
                          clinic_type_name(new));
    ssize_t count = -1;
    if (nargs > 2) {
        if (!mini_arg_ssize(args[2], &count))
            return NULL;
    }
    size_t max = count < 0 ? SIZE_MAX : (size_t)count;
    const char *s = STR_DATA(self);
    size_t size = STR_SIZE(self), olen = STR_SIZE(old);
    StrBuf b;
    strbuf_init(&b);
    if (olen == 0) {
        // An empty pattern matches before every code point and at the end.
        size_t i = 0, done = 0;
        while (i <= size) {
            if (done < max) {
                strbuf_add_obj(&b, new);
                done++;
            } else {
                strbuf_add(&b, s + i, size - i);
                break;
            }
            if (i == size)
                break;
            size_t n = utf8_seqlen((unsigned char)s[i]);
            strbuf_add(&b, s + i, n);
            i += n;
        }
        if (done == 0) {
            strbuf_free(&b);
            return str_exact(self);
        }
        return strbuf_finish(&b);
    }
    size_t n = count_bytes(s, size, STR_DATA(old), olen, max);
    if (n == 0)
        return str_exact(self);
    size_t i = 0;
    while (n--) {
        const char *q = memmem(s + i, size - i, STR_DATA(old), olen);
        size_t j = (size_t)(q - s);
        strbuf_add(&b, s + i, j - i);
        strbuf_add_obj(&b, new);
        i = j + olen;
    }
    strbuf_add(&b, s + i, size - i);
    return strbuf_finish(&b);
}

static MiniObject *partition_impl(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames, bool right) {
    if (!str_check_args(ARGS_ONE, "str", right ? "rpartition" : "partition", nargs, kwnames, 1,
                        1))
        return NULL;
    MiniObject *sep = args[0];
    if (!str_check(sep))
        return mini_raise(mini_exc_TypeError, "must be str, not %s", mini_type_name(sep));
    if (STR_SIZE(sep) == 0)
        return mini_raise_str(mini_exc_ValueError, "empty separator");
    const char *s = STR_DATA(self);
    size_t size = STR_SIZE(self);
    const char *q = right ? rfind_bytes(s, size, STR_DATA(sep), STR_SIZE(sep))
                          : memmem(s, size, STR_DATA(sep), STR_SIZE(sep));
    MiniObject *parts[3];
    if (!q) {
        MiniObject *whole = str_exact(self);
        if (!whole)
            return NULL;
        MiniObject *e = mini_runtime.empty_str;
        MiniObject *t = right ? tuple_pack(3, e, e, whole) : tuple_pack(3, whole, e, e);
        MINI_DECREF(whole);
        return t;
    }
    size_t j = (size_t)(q - s);
    parts[0] = subbytes(self, 0, j);
    parts[1] = str_exact(sep);
    parts[2] = subbytes(self, j + STR_SIZE(sep), size);
    MiniObject *t = NULL;
    if (parts[0] && parts[1] && parts[2])
        t = tuple_pack(3, parts[0], parts[1], parts[2]);
    for (int k = 0; k < 3; k++)
        MINI_XDECREF(parts[k]);
    return t;
}

static MiniObject *str_partition(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    return partition_impl(self, args, nargs, kwnames, false);
}
static MiniObject *str_rpartition(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    return partition_impl(self, args, nargs, kwnames, true);
}

static MiniObject *affix_impl(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames, bool suffix) {
    const char *fname = suffix ? "removesuffix" : "removeprefix";
    if (!str_check_args(ARGS_ONE, "str", fname, nargs, kwnames, 1, 1))
        return NULL;
    MiniObject *a = args[0];
    if (!str_check(a))
        return mini_raise(mini_exc_TypeError, "%s() argument must be str, not %s", fname,
                          clinic_type_name(a));
    size_t size = STR_SIZE(self), n = STR_SIZE(a);
    if (n && n <= size) {
        if (!suffix && memcmp(STR_DATA(self), STR_DATA(a), n) == 0)
            return subbytes(self, n, size);
        if (suffix && memcmp(STR_DATA(self) + size - n, STR_DATA(a), n) == 0)
            return subbytes(self, 0, size - n);
    }
    return str_exact(self);
}

static MiniObject *str_removeprefix(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    return affix_impl(self, args, nargs, kwnames, false);
}
static MiniObject *str_removesuffix(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    return affix_impl(self, args, nargs, kwnames, true);
}

// ---------------------------------------------------------------------------------------------
// Padding
// ---------------------------------------------------------------------------------------------

// Returns self padded with [left] and [right] copies of the fill code point [fill].
static MiniObject *pad(MiniObject *self, size_t left, size_t right, uint32_t fill) {
    if (left == 0 && right == 0)
        return str_exact(self);
    char fb[4];
    size_t fn = utf8_encode(fill, fb);
    if (left + right > MINI_MAX_ALLOC / fn)
        return mini_raise_memory();
    size_t size = STR_SIZE(self) + (left + right) * fn;
    MiniObject *r = str_alloc(size, STR_LEN(self) + left + right,
                              ((MiniStr *)self)->ascii && fill < 0x80);
    if (!r)
        return NULL;
    char *p = STR_DATA(r);
    for (size_t i = 0; i < left; i++, p += fn)
        memcpy(p, fb, fn);
    memcpy(p, STR_DATA(self), STR_SIZE(self));
    p += STR_SIZE(self);
    for (size_t i = 0; i < right; i++, p += fn)
        memcpy(p, fb, fn);
    return r;
}

// center/ljust/rjust: kind 'c', 'l' or 'r'.
static MiniObject *just_impl(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames, const char *fname, char kind) {
    if (!str_check_args(ARGS_CLINIC, "str", fname, nargs, kwnames, 1, 2))
        return NULL;
    ssize_t width;
    if (!mini_arg_ssize(args[0], &width))
        return NULL;
    uint32_t fill = ' ';
    if (nargs > 1) {
        MiniObject *f = args[1];
        if (!str_check(f))
            return mini_raise(mini_exc_TypeError,
                              "The fill character must be a unicode character, not %s",
                              mini_type_name(f));
        if (STR_LEN(f) != 1)
            return mini_raise_str(mini_exc_TypeError,
                                  "The fill character must be exactly one character long");
        size_t n;
        fill = utf8_decode((const unsigned char *)STR_DATA(f), &n);
    }
    size_t len = STR_LEN(self);
    if (width <= (ssize_t)len)
        return str_exact(self);
    size_t marg = (size_t)width - len;
    if (kind == 'l')
        return pad(self, 0, marg, fill);
    if (kind == 'r')
        return pad(self, marg, 0, fill);
    size_t left = marg / 2 + (marg & (size_t)width & 1);
    return pad(self, left, marg - left, fill);
}

static MiniObject *str_center(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    return just_impl(self, args, nargs, kwnames, "center", 'c');
}
static MiniObject *str_ljust(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    return just_impl(self, args, nargs, kwnames, "ljust", 'l');
}
static MiniObject *str_rjust(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    return just_impl(self, args, nargs, kwnames, "rjust", 'r');
}

static MiniObject *str_zfill(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    if (!str_check_args(ARGS_ONE, "str", "zfill", nargs, kwnames, 1, 1))
        return NULL;
    ssize_t width;
    if (!mini_arg_ssize(args[0], &width))
        return NULL;
    size_t len = STR_LEN(self);
    if (width <= (ssize_t)len)
        return str_exact(self);
    size_t fill = (size_t)width - len;
    MiniObject *r = pad(self, fill, 0, '0');
    if (!r)
        return NULL;
    // A leading sign moves in front of the zeros.
    char *p = STR_DATA(r);
    if (p[fill] == '+' || p[fill] == '-') {
        p[0] = p[fill];
        p[fill] = '0';
    }
    return r;
}

static MiniObject *str_expandtabs(MiniObject *self, MiniObject *const *args, size_t nargs,
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
    if (!memchr(STR_DATA(self), '\t', STR_SIZE(self)))
        return str_exact(self);
    StrBuf b;
    strbuf_init(&b);
    const char *s = STR_DATA(self);
    size_t size = STR_SIZE(self), col = 0;
    for (size_t i = 0; i < size;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\t') {
            if (tabsize > 0) {
                size_t n = (size_t)tabsize - col % (size_t)tabsize;
                strbuf_addn(&b, ' ', n);
                col += n;
            }
            i++;
        } else {
            size_t n = utf8_seqlen(c);
            strbuf_add(&b, s + i, n);
            col = (c == '\n' || c == '\r') ? 0 : col + 1;
            i += n;
        }
        if (b.failed)
            break;
    }
    return strbuf_finish(&b);
}

// ---------------------------------------------------------------------------------------------
// Case conversion
// ---------------------------------------------------------------------------------------------

// Decodes [s] into a fresh array of code points (mini_free it). NULL on MemoryError.
static uint32_t *decode_all(MiniObject *s) {
    size_t len = STR_LEN(s);
    uint32_t *cps = mini_malloc((len ? len : 1) * sizeof(uint32_t));
    if (!cps)
        return NULL;
    const unsigned char *p = (const unsigned char *)STR_DATA(s);
    for (size_t i = 0, off = 0; i < len; i++) {
        size_t n;
        cps[i] = utf8_decode(p + off, &n);
        off += n;
    }
    return cps;
}

// CPython's final sigma rule: a capital sigma lowercases to final sigma when a cased letter
// precedes it and none follows (case-ignorable characters skipped both ways).
static uint32_t lower_sigma(const uint32_t *cps, size_t len, size_t i) {
    size_t j = i;
    while (j > 0 && (str_uc_flags(cps[j - 1]) & UC_CASE_IGNORABLE))
        j--;
    bool final = j > 0 && (str_uc_flags(cps[j - 1]) & UC_CASED);
    if (final) {
        j = i + 1;
        while (j < len && (str_uc_flags(cps[j]) & UC_CASE_IGNORABLE))
            j++;
        final = j == len || !(str_uc_flags(cps[j]) & UC_CASED);
    }
    return final ? 0x3c2 : 0x3c3;
}

// Appends the lowercase of cps[i], honouring the final sigma.
static void add_lower(StrBuf *b, const uint32_t *cps, size_t len, size_t i) {
    char buf[18];
    if (cps[i] == 0x3a3) {
        strbuf_addcp(b, lower_sigma(cps, len, i));
        return;
    }
    strbuf_add(b, buf, str_uc_case(cps[i], UC_MAP_LOWER, buf));
}

typedef enum { CASE_LOWER, CASE_UPPER, CASE_FOLD, CASE_TITLE, CASE_CAPITALIZE,
               CASE_SWAP } CaseOp;

// ASCII-only text converts byte by byte.
static MiniObject *case_ascii(MiniObject *self, CaseOp op) {
    size_t n = STR_SIZE(self);
    MiniObject *r = str_alloc(n, n, true);
    if (!r)
        return NULL;
    const char *s = STR_DATA(self);
    char *d = STR_DATA(r);
    bool prev_cased = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool up = c >= 'A' && c <= 'Z', low = c >= 'a' && c <= 'z';
        bool to_upper;
        switch (op) {
        case CASE_LOWER:
        case CASE_FOLD:
            to_upper = false;
            break;
        case CASE_UPPER:
            to_upper = true;
            break;
        case CASE_TITLE:
            to_upper = !prev_cased;
            break;
        case CASE_CAPITALIZE:
            to_upper = i == 0;
            break;
        default:
            to_upper = low;
            break;
        }
        if (to_upper && low)
            c = (char)(c - 32);
        else if (!to_upper && up)
            c = (char)(c + 32);
        d[i] = c;
        prev_cased = up || low;
    }
    return r;
}

static MiniObject *case_convert(MiniObject *self, CaseOp op) {
    if (((MiniStr *)self)->ascii)
        return case_ascii(self, op);
    size_t len = STR_LEN(self);
    uint32_t *cps = decode_all(self);
    if (!cps)
        return NULL;
    StrBuf b;
    strbuf_init(&b);
    char buf[18];
    bool prev_cased = false;
    for (size_t i = 0; i < len; i++) {
        uint32_t c = cps[i];
        uint16_t f = str_uc_flags(c);
        switch (op) {
        case CASE_LOWER:
            add_lower(&b, cps, len, i);
            break;
        case CASE_UPPER:
            strbuf_add(&b, buf, str_uc_case(c, UC_MAP_UPPER, buf));
            break;
        case CASE_FOLD:
            strbuf_add(&b, buf, str_uc_case(c, UC_MAP_FOLD, buf));
            break;
        case CASE_TITLE:
            if (prev_cased)
                add_lower(&b, cps, len, i);
            else
                strbuf_add(&b, buf, str_uc_case(c, UC_MAP_TITLE, buf));
            prev_cased = (f & UC_CASED) != 0;
            break;
        case CASE_CAPITALIZE:
            if (i == 0)
                strbuf_add(&b, buf, str_uc_case(c, UC_MAP_TITLE, buf));
            else
                add_lower(&b, cps, len, i);
            break;
        case CASE_SWAP:
            if (f & UC_UPPER)
                add_lower(&b, cps, len, i);
            else if (f & UC_LOWER)
                strbuf_add(&b, buf, str_uc_case(c, UC_MAP_UPPER, buf));
            else
                strbuf_addcp(&b, c);
            break;
        }
    }
    mini_free(cps);
    return strbuf_finish(&b);
}

#define CASE_METHOD(cname, pyname, op)                                                           \
    static MiniObject *cname(MiniObject *self, MiniObject *const *args, size_t nargs,            \
                             MiniObject *kwnames) {                                              \
        (void)args;                                                                              \
        if (!str_check_args(ARGS_NONE, "str", pyname, nargs, kwnames, 0, 0))                     \
            return NULL;                                                                         \
        return case_convert(self, op);                                                           \
    }
CASE_METHOD(str_lower, "lower", CASE_LOWER)
CASE_METHOD(str_upper, "upper", CASE_UPPER)
CASE_METHOD(str_casefold, "casefold", CASE_FOLD)
CASE_METHOD(str_title, "title", CASE_TITLE)
CASE_METHOD(str_capitalize, "capitalize", CASE_CAPITALIZE)
CASE_METHOD(str_swapcase, "swapcase", CASE_SWAP)

// ---------------------------------------------------------------------------------------------
// Predicates
// ---------------------------------------------------------------------------------------------

// True when the text is non-empty and every code point has one of the [mask] flags.
static bool all_have(MiniObject *self, uint16_t mask) {
    const unsigned char *p = (const unsigned char *)STR_DATA(self);
    size_t size = STR_SIZE(self);
    if (size == 0)
        return false;
    for (size_t i = 0; i < size;) {
        size_t n;
        uint32_t cp = utf8_decode(p + i, &n);
        if (!(str_uc_flags(cp) & mask))
            return false;
        i += n;
    }
    return true;
}

typedef enum { PRED_DIGIT, PRED_DECIMAL, PRED_NUMERIC, PRED_ALPHA, PRED_ALNUM, PRED_SPACE,
               PRED_UPPER, PRED_LOWER, PRED_TITLE, PRED_IDENT, PRED_PRINTABLE, PRED_ASCII }
    Predicate;

static bool predicate(MiniObject *self, Predicate pred) {
    const unsigned char *p = (const unsigned char *)STR_DATA(self);
    size_t size = STR_SIZE(self);
    switch (pred) {
    case PRED_DIGIT:
        return all_have(self, UC_DIGIT);
    case PRED_DECIMAL:
        return all_have(self, UC_DECIMAL);
    case PRED_NUMERIC:
        return all_have(self, UC_NUMERIC);
    case PRED_ALPHA:
        return all_have(self, UC_ALPHA);
    case PRED_ALNUM:
        return all_have(self, UC_ALPHA | UC_DECIMAL | UC_DIGIT | UC_NUMERIC);
    case PRED_SPACE:
        return all_have(self, UC_SPACE);
    case PRED_PRINTABLE:
        return size == 0 || all_have(self, UC_PRINTABLE);
    case PRED_ASCII:
        return ((MiniStr *)self)->ascii;
    case PRED_IDENT: {
        if (size == 0)
            return false;
        size_t n;
        if (!(str_uc_flags(utf8_decode(p, &n)) & UC_XID_START))
            return false;
        for (size_t i = n; i < size; i += n)
            if (!(str_uc_flags(utf8_decode(p + i, &n)) & UC_XID_CONTINUE))
                return false;
        return true;
    }
    default:
        break;
    }
    // isupper / islower / istitle, CPython's loops.
    bool cased = false, prev_cased = false;
    for (size_t i = 0; i < size;) {
        size_t n;
        uint16_t f = str_uc_flags(utf8_decode(p + i, &n));
        i += n;
        if (pred == PRED_UPPER) {
            if (f & (UC_LOWER | UC_TITLE))
                return false;
            if (f & UC_UPPER)
                cased = true;
        } else if (pred == PRED_LOWER) {
            if (f & (UC_UPPER | UC_TITLE))
                return false;
            if (f & UC_LOWER)
                cased = true;
        } else {
            if (f & (UC_UPPER | UC_TITLE)) {
                if (prev_cased)
                    return false;
                prev_cased = cased = true;
            } else if (f & UC_LOWER) {
                if (!prev_cased)
                    return false;
                prev_cased = cased = true;
            } else {
                prev_cased = false;
            }
        }
    }
    return cased;
}

#define PRED_METHOD(cname, pyname, pred)                                                         \
    static MiniObject *cname(MiniObject *self, MiniObject *const *args, size_t nargs,            \
                             MiniObject *kwnames) {                                              \
        (void)args;                                                                              \
        if (!str_check_args(ARGS_NONE, "str", pyname, nargs, kwnames, 0, 0))                     \
            return NULL;                                                                         \
        return MINI_BOOL(predicate(self, pred));                                                 \
    }
PRED_METHOD(str_isdigit, "isdigit", PRED_DIGIT)
PRED_METHOD(str_isdecimal, "isdecimal", PRED_DECIMAL)
PRED_METHOD(str_isnumeric, "isnumeric", PRED_NUMERIC)
PRED_METHOD(str_isalpha, "isalpha", PRED_ALPHA)
PRED_METHOD(str_isalnum, "isalnum", PRED_ALNUM)
PRED_METHOD(str_isspace, "isspace", PRED_SPACE)
PRED_METHOD(str_isupper, "isupper", PRED_UPPER)
PRED_METHOD(str_islower, "islower", PRED_LOWER)
PRED_METHOD(str_istitle, "istitle", PRED_TITLE)
PRED_METHOD(str_isidentifier, "isidentifier", PRED_IDENT)
PRED_METHOD(str_isprintable, "isprintable", PRED_PRINTABLE)
PRED_METHOD(str_isascii, "isascii", PRED_ASCII)

// ---------------------------------------------------------------------------------------------
// encode, maketrans, translate, __format__
// ---------------------------------------------------------------------------------------------

// Checks an optional encoding/errors argument of [fname]. False with TypeError.
static bool check_codec_arg(MiniObject *o, const char *fname, const char *what) {
    if (o && !str_check(o)) {
        mini_raise(mini_exc_TypeError, "%s() argument '%s' must be str, not %s", fname, what,
                   clinic_type_name(o));
        return false;
    }
    return true;
}

static MiniObject *str_encode_method(MiniObject *self, MiniObject *const *args, size_t nargs,
                                     MiniObject *kwnames) {
    static const char *const names[] = {"encoding", "errors"};
    MiniObject *a[2] = {NULL, NULL};
    if (!str_parse_kwargs("encode", args, nargs, kwnames, names, 2, a))
        return NULL;
    if (!check_codec_arg(a[0], "encode", "encoding") || !check_codec_arg(a[1], "encode", "errors"))
        return NULL;
    return str_encode(self, a[0], a[1]);
}

// Adds key -> value to the maketrans dict [d]. -1 on error.
static int set_ord(MiniObject *d, uint32_t key, MiniObject *value) {
    MiniObject *k = int_from_i64(key);
    if (!k)
        return -1;
    int r = dict_set(d, k, value);
    MINI_DECREF(k);
    return r;
}

static MiniObject *str_maketrans(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    if (!str_check_args(ARGS_CLINIC, "str", "maketrans", nargs, kwnames, 1, 3))
        return NULL;
    MiniObject *d = dict_new();
    if (!d)
        return NULL;
    if (nargs == 1) {
        MiniObject *x = args[0];
        if (!dict_check(x)) {
            MINI_DECREF(d);
            return mini_raise_str(mini_exc_TypeError,
                                  "if you give only one argument to maketrans it must be a dict");
        }
        size_t pos = 0;
        MiniObject *k, *v;
        while (dict_next(x, &pos, &k, &v)) {
            int r;
            if (str_check(k)) {
                if (STR_LEN(k) != 1) {
                    MINI_DECREF(d);
                    return mini_raise_str(mini_exc_ValueError,
                                          "string keys in translate table must be of length 1");
                }
                size_t n;
                r = set_ord(d, utf8_decode((const unsigned char *)STR_DATA(k), &n), v);
            } else if (int_check(k)) {
                r = dict_set(d, k, v);
            } else {
                MINI_DECREF(d);
                return mini_raise_str(mini_exc_TypeError,
                                      "keys in translate table must be strings or integers");
            }
            if (r < 0) {
                MINI_DECREF(d);
                return NULL;
            }
        }
        return d;
    }
    for (size_t i = 1; i < nargs; i++)
        if (!str_check(args[i])) {
            MINI_DECREF(d);
            return mini_raise(mini_exc_TypeError, "maketrans() argument %zu must be str, not %s",
                              i + 1, clinic_type_name(args[i]));
        }
    MiniObject *x = args[0], *y = args[1];
    if (!str_check(x)) {
        MINI_DECREF(d);
        return mini_raise_str(mini_exc_TypeError,
                              "first maketrans argument must be a string if there is a second "
                              "argument");
    }
    if (STR_LEN(x) != STR_LEN(y)) {
        MINI_DECREF(d);
        return mini_raise_str(mini_exc_ValueError,
                              "the first two maketrans arguments must have equal length");
    }
    const unsigned char *p = (const unsigned char *)STR_DATA(x);
    const unsigned char *q = (const unsigned char *)STR_DATA(y);
    for (size_t i = 0, j = 0; i < STR_SIZE(x);) {
        size_t n, m;
        uint32_t a = utf8_decode(p + i, &n), b = utf8_decode(q + j, &m);
        MiniObject *v = int_from_i64(b);
        if (!v || set_ord(d, a, v) < 0) {
            MINI_XDECREF(v);
            MINI_DECREF(d);
            return NULL;
        }
        MINI_DECREF(v);
        i += n;
        j += m;
    }
    if (nargs == 3) {
        MiniObject *z = args[2];
        p = (const unsigned char *)STR_DATA(z);
        for (size_t i = 0; i < STR_SIZE(z);) {
            size_t n;
            if (set_ord(d, utf8_decode(p + i, &n), MINI_NONE) < 0) {
                MINI_DECREF(d);
                return NULL;
            }
            i += n;
        }
    }
    return d;
}

static MiniObject *str_translate(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    if (!str_check_args(ARGS_ONE, "str", "translate", nargs, kwnames, 1, 1))
        return NULL;
    MiniObject *table = args[0];
    StrBuf b;
    strbuf_init(&b);
    const unsigned char *p = (const unsigned char *)STR_DATA(self);
    size_t size = STR_SIZE(self);
    for (size_t i = 0; i < size;) {
        size_t n;
        uint32_t cp = utf8_decode(p + i, &n);
        MiniObject *key = int_from_i64(cp);
        if (!key)
            goto error;
        MiniObject *v = mini_getitem(table, key);
        MINI_DECREF(key);
        if (!v) {
            if (!mini_error_matches(mini_exc_LookupError))
                goto error;
            // A missing entry leaves the character as it is.
            mini_error_clear();
            strbuf_add(&b, (const char *)p + i, n);
        } else if (v == MINI_NONE) {
            // None deletes the character.
        } else if (int_check(v)) {
            int64_t c;
            if (!int_as_i64(v, &c) || c < 0 || c > 0x10ffff) {
                mini_error_clear();
                MINI_DECREF(v);
                mini_raise_str(mini_exc_ValueError, "character mapping must be in range(0x110000)");
                goto error;
            }
            strbuf_addcp(&b, (uint32_t)c);
        } else if (str_check(v)) {
            strbuf_add_obj(&b, v);
        } else {
            MINI_DECREF(v);
            mini_raise_str(mini_exc_TypeError, "character mapping must return integer, None or str");
            goto error;
        }
        MINI_XDECREF(v);
        i += n;
    }
    return strbuf_finish(&b);
error:
    strbuf_free(&b);
    return NULL;
}

static MiniObject *str_getnewargs(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    (void)args;
    if (!str_check_args(ARGS_NONE, "str", "__getnewargs__", nargs, kwnames, 0, 0))
        return NULL;
    MiniObject *v = str_exact(self);
    if (!v)
        return NULL;
    MiniObject *t = tuple_pack(1, v);
    MINI_DECREF(v);
    return t;
}

static MiniObject *str_format_method(MiniObject *self, MiniObject *const *args, size_t nargs,
                                     MiniObject *kwnames) {
    if (!str_check_args(ARGS_ONE, "str", "__format__", nargs, kwnames, 1, 1))
        return NULL;
    if (!str_check(args[0]))
        return mini_raise(mini_exc_TypeError, "__format__() argument must be str, not %s",
                          clinic_type_name(args[0]));
    return str_format_spec(self, args[0]);
}

static MiniObject *str_format_map_method(MiniObject *self, MiniObject *const *args,
                                         size_t nargs, MiniObject *kwnames) {
    if (!str_check_args(ARGS_ONE, "str", "format_map", nargs, kwnames, 1, 1))
        return NULL;
    return strformat_format(self, NULL, 0, NULL, args[0]);
}

static MiniObject *str_format_call(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    return strformat_format(self, args, nargs, kwnames, NULL);
}

// ---------------------------------------------------------------------------------------------
// Type slots
// ---------------------------------------------------------------------------------------------

static int64_t str_hash_slot(MiniObject *self) { return str_hash(self); }

static MiniObject *str_richcompare(MiniObject *a, MiniObject *b, int op) {
    if (!str_check(a) || !str_check(b))
        return MINI_NOTIMPL;
    if (op == CMP_EQ || op == CMP_NE) {
        bool eq = str_eq(a, b);
        return MINI_BOOL(op == CMP_EQ ? eq : !eq);
    }
    // Byte order of UTF-8 is code point order.
    size_t sa = STR_SIZE(a), sb = STR_SIZE(b);
    int c = memcmp(STR_DATA(a), STR_DATA(b), sa < sb ? sa : sb);
    if (c == 0)
        c = sa < sb ? -1 : sa > sb ? 1 : 0;
    bool r;
    switch (op) {
    case CMP_LT:
        r = c < 0;
        break;
    case CMP_LE:
        r = c <= 0;
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

static MiniObject *str_add(MiniObject *a, MiniObject *b) {
    if (!str_check(a))
        return MINI_NOTIMPL;
    if (!str_check(b)) {
        // A class written in mini may still take it with __radd__; no builtin type does, so
        // say what CPython says right here (str.__add__(1) raises it too).
        if (MINI_IS_PTR(b) && (b->type->flags & MINI_TPFLAG_HEAPTYPE))
            return MINI_NOTIMPL;
        return mini_raise(mini_exc_TypeError, "can only concatenate str (not \"%s\") to str",
                          mini_type_name(b));
    }
    return str_concat(a, b);
}

// [s] repeated [n] times. New reference.
static MiniObject *str_repeat(MiniObject *s, ssize_t n) {
    if (n <= 0 || STR_SIZE(s) == 0)
        return mini_newref(mini_runtime.empty_str);
    if (n == 1)
        return str_exact(s);
    size_t size = STR_SIZE(s);
    if ((size_t)n > (size_t)SSIZE_MAX / size)
        return mini_raise_str(mini_exc_OverflowError, "repeated string is too long");
    if ((size_t)n > MINI_MAX_ALLOC / size)
        return mini_raise_memory();
    size_t total = size * (size_t)n;
    MiniObject *r = str_alloc(total, STR_LEN(s) * (size_t)n, ((MiniStr *)s)->ascii);
    if (!r)
        return NULL;
    char *p = STR_DATA(r);
    if (size == 1) {
        memset(p, STR_DATA(s)[0], total);
    } else {
        // Double the copied prefix each round: log(n) memcpy calls.
        memcpy(p, STR_DATA(s), size);
        size_t done = size;
        while (done < total) {
            size_t k = done <= total - done ? done : total - done;
            memcpy(p + done, p, k);
            done += k;
        }
    }
    return r;
}

static MiniObject *str_mul(MiniObject *a, MiniObject *b) {
    MiniObject *seq, *count;
    if (str_check(a))
        seq = a, count = b;
    else
        seq = b, count = a;
    // Anything without __index__ is for the other operand to handle; object.c words the
    // "can't multiply sequence by non-int" error when nobody does.
    if (!mini_type(count)->nb_index && !int_check(count))
        return MINI_NOTIMPL;
    // CPython tries both operands' number slots before the sequence repeat, so a right
    // operand with __index__ still gets its __rmul__ first.
    if (seq == a && MINI_IS_PTR(count) && count->type != &mini_int_type) {
        MiniObject *(*other)(MiniObject *, MiniObject *) = count->type->binop[BINOP_MUL];
        if (other && other != str_mul) {
            MiniObject *r = other(a, b);
            if (r != MINI_NOTIMPL)
                return r;
        }
    }
    ssize_t n = mini_as_ssize(count);
    if (n == -1 && mini_error_occurred())
        return NULL;
    return str_repeat(seq, n);
}

static MiniObject *str_mod(MiniObject *a, MiniObject *b) {
    if (!str_check(a))
        return MINI_NOTIMPL;
    return str_percent_format(a, b);
}

static ssize_t str_len(MiniObject *self) { return (ssize_t)STR_LEN(self); }

static MiniObject *str_getitem(MiniObject *self, MiniObject *key) {
    size_t len = STR_LEN(self);
    if (MINI_IS_PTR(key) && key->type == &mini_slice_type) {
        ssize_t start, stop, step;
        ssize_t n = slice_indices(key, (ssize_t)len, &start, &stop, &step);
        if (n < 0)
            return NULL;
        if (n == 0)
            return mini_newref(mini_runtime.empty_str);
        if (step == 1)
            return substr(self, (size_t)start, (size_t)start + (size_t)n);
        if (((MiniStr *)self)->ascii) {
            MiniObject *r = str_alloc((size_t)n, (size_t)n, true);
            if (!r)
                return NULL;
            const char *s = STR_DATA(self);
            char *d = STR_DATA(r);
            for (ssize_t i = 0, k = start; i < n; i++, k += step)
                d[i] = s[k];
            return r;
        }
        uint32_t *cps = decode_all(self);
        if (!cps)
            return NULL;
        StrBuf b;
        strbuf_init(&b);
        for (ssize_t i = 0, k = start; i < n; i++, k += step)
            strbuf_addcp(&b, cps[k]);
        mini_free(cps);
        return strbuf_finish(&b);
    }
    if (!int_check(key) && !mini_type(key)->nb_index)
        return mini_raise(mini_exc_TypeError, "string indices must be integers, not '%s'",
                          mini_type_name(key));
    ssize_t i = mini_as_ssize(key);
    if (i == -1 && mini_error_occurred()) {
        if (mini_error_matches(mini_exc_OverflowError)) {
            // Sequences report an index too big for a machine word as an IndexError.
            mini_error_clear();
            mini_raise_str(mini_exc_IndexError, "cannot fit 'int' into an index-sized integer");
        }
        return NULL;
    }
    if (i < 0)
        i += (ssize_t)len;
    if (i < 0 || (size_t)i >= len)
        return mini_raise_str(mini_exc_IndexError, "string index out of range");
    return str_getchar(self, (size_t)i);
}

// ---------------------------------------------------------------------------------------------
// The iterator
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniObject *str; // NULL once exhausted
    size_t offset;   // byte offset of the next code point
    size_t index;    // its code point index (for __length_hint__)
} StrIter;

static void striter_dealloc(MiniObject *self) {
    MINI_XDECREF(((StrIter *)self)->str);
    mini_object_free(self);
}

static MiniObject *striter_iter(MiniObject *self) { return mini_newref(self); }

static MiniObject *striter_next(MiniObject *self) {
    StrIter *it = (StrIter *)self;
    if (!it->str)
        return NULL;
    if (it->offset >= STR_SIZE(it->str)) {
        MINI_CLEAR(it->str);
        return NULL;
    }
    const unsigned char *p = (const unsigned char *)STR_DATA(it->str) + it->offset;
    it->index++;
    if (*p < 0x80) {
        it->offset++;
        return mini_runtime.char_strs[*p];
    }
    size_t n;
    uint32_t cp = utf8_decode(p, &n);
    it->offset += n;
    return char_str(cp);
}

static MiniObject *striter_length_hint(MiniObject *self, MiniObject *const *args, size_t nargs,
                                       MiniObject *kwnames) {
    (void)args;
    if (!str_check_args(ARGS_NONE, "str_iterator", "__length_hint__", nargs, kwnames, 0, 0))
        return NULL;
    StrIter *it = (StrIter *)self;
    return int_from_i64(it->str ? (int64_t)(STR_LEN(it->str) - it->index) : 0);
}

static const MiniMethodDef striter_methods[] = {
    {"__length_hint__", striter_length_hint, 0, "Private method returning an estimate of len(list(it))."},
    {NULL, NULL, 0, NULL},
};

// Two iterator types, as in CPython 3.11, so type(iter('abc')) reads the same.
static MiniType striter_ascii_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "str_ascii_iterator",
    .basicsize = sizeof(StrIter),
    .dealloc = striter_dealloc,
    .iter = striter_iter,
    .iternext = striter_next,
    .methods = striter_methods,
};
static MiniType striter_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "str_iterator",
    .basicsize = sizeof(StrIter),
    .dealloc = striter_dealloc,
    .iter = striter_iter,
    .iternext = striter_next,
    .methods = striter_methods,
};

static MiniObject *str_iter(MiniObject *self) {
    MiniType *t = ((MiniStr *)self)->ascii ? &striter_ascii_type : &striter_type;
    StrIter *it = (StrIter *)mini_alloc(t, sizeof(StrIter));
    if (!it)
        return NULL;
    it->str = mini_newref(self);
    it->offset = 0;
    it->index = 0;
    return (MiniObject *)it;
}

// ---------------------------------------------------------------------------------------------
// Construction
// ---------------------------------------------------------------------------------------------

static MiniObject *str_tp_new(MiniType *type, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    static const char *const names[] = {"object", "encoding", "errors"};
    MiniObject *a[3] = {NULL, NULL, NULL};
    if (!str_parse_kwargs("str", args, nargs, kwnames, names, 3, a))
        return NULL;
    if (!check_codec_arg(a[1], "str", "encoding") || !check_codec_arg(a[2], "str", "errors"))
        return NULL;
    MiniObject *r;
    if (!a[0]) {
        r = mini_newref(mini_runtime.empty_str);
    } else if (a[1] || a[2]) {
        const char *data;
        size_t size;
        if (str_check(a[0]))
            return mini_raise_str(mini_exc_TypeError, "decoding str is not supported");
        if (!bytes_buffer(a[0], &data, &size))
            return mini_raise(mini_exc_TypeError,
                              "decoding to str: need a bytes-like object, %s found",
                              mini_type_name(a[0]));
        r = str_decode(data, size, a[1], a[2]);
    } else {
        r = mini_str(a[0]);
    }
    if (!r || type == &mini_str_type)
        return r;
    // A subclass instance: the same text in an object of the subclass.
    // Room for the text, and for the subclass's fields after it (varsize_field_ptr).
    MiniStr *s = (MiniStr *)mini_type_alloc(type, MINI_VARSIZE_TEXT_ROOM(STR_SIZE(r)));
    if (!s) {
        MINI_DECREF(r);
        return NULL;
    }
    s->hash = -1;
    s->length = STR_LEN(r);
    s->size = STR_SIZE(r);
    s->ascii = ((MiniStr *)r)->ascii;
    s->interned = 0;
    memcpy(s->data, STR_DATA(r), STR_SIZE(r) + 1);
    MINI_DECREF(r);
    return (MiniObject *)s;
}

static void str_dealloc(MiniObject *self) {
    // Only exact strs come from str_alloc's small blocks (a subclass's instances do not).
    if (self->type == &mini_str_type && STR_SIZE(self) <= STR_SMALL_MAX) {
        ThreadState *ts = mini_ts;
        if (ts && ts->str_free_count < STR_FREE_MAX) {
            self->type = (MiniType *)ts->str_free; // the free list's link
            ts->str_free = self;
            ts->str_free_count++;
            return;
        }
    }
    mini_object_free(self);
}

void str_free_list_clear(ThreadState *ts) {
    while (ts->str_free) {
        MiniObject *next = (MiniObject *)ts->str_free->type;
        free(ts->str_free);
        ts->str_free = next;
    }
    ts->str_free_count = 0;
}

// ---------------------------------------------------------------------------------------------
// The type
// ---------------------------------------------------------------------------------------------

static const MiniMethodDef str_methods[] = {
    {"capitalize", str_capitalize, 0, "Return a capitalized version of the string."},
    {"casefold", str_casefold, 0, "Return a version of the string suitable for caseless comparisons."},
    {"center", str_center, 0, "Return a centered string of length width."},
    {"count", str_count, 0, "Return the number of non-overlapping occurrences of substring sub."},
    {"encode", str_encode_method, 0, "Encode the string using the codec registered for encoding."},
    {"endswith", str_endswith, 0, "Return True if S ends with the specified suffix, False otherwise."},
    {"expandtabs", str_expandtabs, 0, "Return a copy where all tab characters are expanded using spaces."},
    {"find", str_find, 0, "Return the lowest index in S where substring sub is found."},
    {"format", str_format_call, 0, "Return a formatted version of S, using substitutions from args and kwargs."},
    {"format_map", str_format_map_method, 0, "Return a formatted version of S, using substitutions from mapping."},
    {"index", str_index, 0, "Like find() but raise ValueError when the substring is not found."},
    {"isalnum", str_isalnum, 0, "Return True if the string is an alpha-numeric string, False otherwise."},
    {"isalpha", str_isalpha, 0, "Return True if the string is an alphabetic string, False otherwise."},
    {"isascii", str_isascii, 0, "Return True if all characters in the string are ASCII, False otherwise."},
    {"isdecimal", str_isdecimal, 0, "Return True if the string is a decimal string, False otherwise."},
    {"isdigit", str_isdigit, 0, "Return True if the string is a digit string, False otherwise."},
    {"isidentifier", str_isidentifier, 0, "Return True if the string is a valid Python identifier, False otherwise."},
    {"islower", str_islower, 0, "Return True if the string is a lowercase string, False otherwise."},
    {"isnumeric", str_isnumeric, 0, "Return True if the string is a numeric string, False otherwise."},
    {"isprintable", str_isprintable, 0, "Return True if the string is printable, False otherwise."},
    {"isspace", str_isspace, 0, "Return True if the string is a whitespace string, False otherwise."},
    {"istitle", str_istitle, 0, "Return True if the string is a title-cased string, False otherwise."},
    {"isupper", str_isupper, 0, "Return True if the string is an uppercase string, False otherwise."},
    {"join", str_join_method, 0, "Concatenate any number of strings."},
    {"ljust", str_ljust, 0, "Return a left-justified string of length width."},
    {"lower", str_lower, 0, "Return a copy of the string converted to lowercase."},
    {"lstrip", str_lstrip, 0, "Return a copy of the string with leading whitespace removed."},
    {"maketrans", str_maketrans, MINI_METH_STATIC, "Return a translation table usable for str.translate()."},
    {"partition", str_partition, 0, "Partition the string into three parts using the given separator."},
    {"removeprefix", str_removeprefix, 0, "Return a str with the given prefix string removed if present."},
    {"removesuffix", str_removesuffix, 0, "Return a str with the given suffix string removed if present."},
    {"replace", str_replace, 0, "Return a copy with all occurrences of substring old replaced by new."},
    {"rfind", str_rfind, 0, "Return the highest index in S where substring sub is found."},
    {"rindex", str_rindex, 0, "Like rfind() but raise ValueError when the substring is not found."},
    {"rjust", str_rjust, 0, "Return a right-justified string of length width."},
    {"rpartition", str_rpartition, 0, "Partition the string into three parts using the given separator, from the right."},
    {"rsplit", str_rsplit, 0, "Return a list of the substrings in the string, using sep as the separator string."},
    {"rstrip", str_rstrip, 0, "Return a copy of the string with trailing whitespace removed."},
    {"split", str_split, 0, "Return a list of the substrings in the string, using sep as the separator string."},
    {"splitlines", str_splitlines, 0, "Return a list of the lines in the string, breaking at line boundaries."},
    {"startswith", str_startswith, 0, "Return True if S starts with the specified prefix, False otherwise."},
    {"strip", str_strip, 0, "Return a copy of the string with leading and trailing whitespace removed."},
    {"swapcase", str_swapcase, 0, "Convert uppercase characters to lowercase and lowercase characters to uppercase."},
    {"title", str_title, 0, "Return a version of the string where each word is titlecased."},
    {"translate", str_translate, 0, "Replace each character in the string using the given translation table."},
    {"upper", str_upper, 0, "Return a copy of the string converted to uppercase."},
    {"zfill", str_zfill, 0, "Pad a numeric string with zeros on the left, to fill a field of the given width."},
    {"__format__", str_format_method, 0, "Return a formatted version of the string as described by format_spec."},
    {"__getnewargs__", str_getnewargs, 0, NULL},
    {NULL, NULL, 0, NULL},
};

MiniType mini_str_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "str",
    .basicsize = sizeof(MiniStr),
    .flags = MINI_TPFLAG_BASETYPE | MINI_TPFLAG_STR_SUBCLASS,
    .dealloc = str_dealloc,
    .tp_new = str_tp_new,
    .repr = str_repr,
    .str = str_str,
    .hash = str_hash_slot,
    .richcompare = str_richcompare,
    .iter = str_iter,
    .binop = {[BINOP_ADD] = str_add, [BINOP_MUL] = str_mul, [BINOP_MOD] = str_mod},
    .len = str_len,
    .getitem = str_getitem,
    .contains = str_contains,
    .methods = str_methods,
    .doc = "str(object='') -> str\nstr(bytes_or_buffer[, encoding[, errors]]) -> str\n\n"
           "Create a new string object from the given object.",
};
