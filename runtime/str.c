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

// ---------------------------------------------------------------------------------------------
// Allocation and the caches
// ---------------------------------------------------------------------------------------------

MiniObject *str_alloc(size_t size, size_t length, bool ascii) {
    if (size > SIZE_MAX - sizeof(MiniStr) - 1)
        return mini_raise_memory();
    MiniStr *s = (MiniStr *)mini_alloc(&mini_str_type, sizeof(MiniStr) + size + 1);
    if (!s)
        return NULL;
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
    for (int c = 0; c < 256; c++) {
        char ch = (char)c;
        MiniObject *b = bytes_new(&ch, 1);
        if (!b)
            return false;
        mini_make_immortal(b);
        mini_runtime.byte_bytes[c] = b;
    }
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

// FNV-1a over the bytes: a good, non-randomised hash, the same for bytes and str of equal
// contents (as in CPython for ASCII text). Never -1, which means "not computed" or "error".
int64_t str_hash_bytes(const char *p, size_t n);
int64_t str_hash_bytes(const char *p, size_t n) {
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
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
