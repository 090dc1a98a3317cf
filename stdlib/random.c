// random.c - the _random module: the core of random, bit-for-bit compatible with CPython's
// for the same seed.
//
// The core is in C, as CPython's _random module: the Mersenne Twister MT19937 with CPython's
// seeding (init_by_array over the 32-bit words of the seed), random(), getrandbits(),
// getstate() and setstate(), as the base type _random.Random. Everything else (randrange,
// choice, shuffle, sample, choices, the distributions and the Random class itself) is
// stdlib/lib/random.py, CPython 3.11's Lib/random.py adapted and frozen into the binary like
// the other Python modules: written the same way, it draws the same numbers from the
// generator in the same order, so every sequence matches CPython's. The few helpers it imports
// from math and operator are private functions of this module (_log, _floor, ...).
//
// Seeding from a str, bytes or bytearray (version 2) uses int.from_bytes(a + sha512(a)), so a
// small SHA-512 lives here too.

#include "stdlib.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "stdlib_args.h"

// ---------------------------------------------------------------------------------------------
// MT19937 (the reference code of Matsumoto and Nishimura, as CPython's _randommodule.c has it)
// ---------------------------------------------------------------------------------------------

#define MT_N 624
#define MT_M 397
#define MATRIX_A 0x9908b0dfU
#define UPPER_MASK 0x80000000U
#define LOWER_MASK 0x7fffffffU

typedef struct {
    MiniObject ob;
    int index;
    uint32_t state[MT_N];
} RandomObject;

static void init_genrand(RandomObject *r, uint32_t s) {
    uint32_t *mt = r->state;
    mt[0] = s;
    for (int i = 1; i < MT_N; i++)
        mt[i] = 1812433253U * (mt[i - 1] ^ (mt[i - 1] >> 30)) + (uint32_t)i;
    r->index = MT_N;
}

static void init_by_array(RandomObject *r, const uint32_t *key, size_t len) {
    uint32_t *mt = r->state;
    init_genrand(r, 19650218U);
    size_t i = 1, j = 0;
    for (size_t k = MT_N > len ? MT_N : len; k; k--) {
        mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525U)) + key[j] + (uint32_t)j;
        i++;
        j++;
        if (i >= MT_N) {
            mt[0] = mt[MT_N - 1];
            i = 1;
        }
        if (j >= len)
            j = 0;
    }
    for (size_t k = MT_N - 1; k; k--) {
        mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941U)) - (uint32_t)i;
        i++;
        if (i >= MT_N) {
            mt[0] = mt[MT_N - 1];
            i = 1;
        }
    }
    mt[0] = 0x80000000U; // the most significant bit is set: a non-zero initial array
}

static uint32_t genrand_uint32(RandomObject *r) {
    static const uint32_t mag01[2] = {0x0U, MATRIX_A};
    uint32_t *mt = r->state;
    uint32_t y;
    if (r->index >= MT_N) {
        int kk;
        for (kk = 0; kk < MT_N - MT_M; kk++) {
            y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
            mt[kk] = mt[kk + MT_M] ^ (y >> 1) ^ mag01[y & 0x1U];
        }
        for (; kk < MT_N - 1; kk++) {
            y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
            mt[kk] = mt[kk + (MT_M - MT_N)] ^ (y >> 1) ^ mag01[y & 0x1U];
        }
        y = (mt[MT_N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
        mt[MT_N - 1] = mt[MT_M - 1] ^ (y >> 1) ^ mag01[y & 0x1U];
        r->index = 0;
    }
    y = mt[r->index++];
    y ^= (y >> 11);
    y ^= (y << 7) & 0x9d2c5680U;
    y ^= (y << 15) & 0xefc60000U;
    y ^= (y >> 18);
    return y;
}

// ---------------------------------------------------------------------------------------------
// SHA-512 (FIPS 180-4), for seeding from text and bytes
// ---------------------------------------------------------------------------------------------

static const uint64_t sha512_k[80] = {
    0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL, 0xe9b5dba58189dbbcULL,
    0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL, 0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL,
    0xd807aa98a3030242ULL, 0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
    0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL, 0xc19bf174cf692694ULL,
    0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL, 0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL,
    0x2de92c6f592b0275ULL, 0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
    0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL, 0xbf597fc7beef0ee4ULL,
    0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL, 0x06ca6351e003826fULL, 0x142929670a0e6e70ULL,
    0x27b70a8546d22ffcULL, 0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
    0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL, 0x92722c851482353bULL,
    0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL, 0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL,
    0xd192e819d6ef5218ULL, 0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
    0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL, 0x34b0bcb5e19b48a8ULL,
    0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL, 0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL,
    0x748f82ee5defb2fcULL, 0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
    0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL, 0xc67178f2e372532bULL,
    0xca273eceea26619cULL, 0xd186b8c721c0c207ULL, 0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL,
    0x06f067aa72176fbaULL, 0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
    0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL, 0x431d67c49c100d4cULL,
    0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL, 0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL,
};

static uint64_t rotr64(uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }

// Mixes one 128-byte block into the hash state [h].
static void sha512_block(uint64_t h[8], const unsigned char *p) {
    uint64_t w[80];
    for (int i = 0; i < 16; i++) {
        w[i] = 0;
        for (int j = 0; j < 8; j++)
            w[i] = (w[i] << 8) | p[8 * i + j];
    }
    for (int i = 16; i < 80; i++) {
        uint64_t s0 = rotr64(w[i - 15], 1) ^ rotr64(w[i - 15], 8) ^ (w[i - 15] >> 7);
        uint64_t s1 = rotr64(w[i - 2], 19) ^ rotr64(w[i - 2], 61) ^ (w[i - 2] >> 6);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint64_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 80; i++) {
        uint64_t s1 = rotr64(e, 14) ^ rotr64(e, 18) ^ rotr64(e, 41);
        uint64_t ch = (e & f) ^ (~e & g);
        uint64_t t1 = hh + s1 + ch + sha512_k[i] + w[i];
        uint64_t s0 = rotr64(a, 28) ^ rotr64(a, 34) ^ rotr64(a, 39);
        uint64_t maj = (a & b) ^ (a & c) ^ (b & c);
        uint64_t t2 = s0 + maj;
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

// The 64-byte SHA-512 digest of [len] bytes at [data].
static void sha512(const unsigned char *data, size_t len, unsigned char out[64]) {
    uint64_t h[8] = {0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
                     0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
                     0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};
    size_t done = 0;
    for (; len - done >= 128; done += 128)
        sha512_block(h, data + done);
    // The padding: a 1 bit, zeros, and the length in bits as a 128-bit big-endian number.
    unsigned char tail[256] = {0};
    size_t rest = len - done;
    memcpy(tail, data + done, rest);
    tail[rest] = 0x80;
    size_t tlen = rest + 1 + 16 <= 128 ? 128 : 256;
    uint64_t bits = (uint64_t)len << 3;
    tail[tlen - 9] = (unsigned char)((uint64_t)len >> 61);
    for (int i = 0; i < 8; i++)
        tail[tlen - 1 - i] = (unsigned char)(bits >> (8 * i));
    for (size_t off = 0; off < tlen; off += 128)
        sha512_block(h, tail + off);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++)
            out[8 * i + j] = (unsigned char)(h[i] >> (56 - 8 * j));
}

// ---------------------------------------------------------------------------------------------
// Seeding
// ---------------------------------------------------------------------------------------------

// Seeds from the operating system's entropy, as CPython does for seed(None); from the time
// and the process id when that fails.
static void seed_from_urandom(RandomObject *r) {
    uint32_t key[MT_N];
    size_t got = 0;
    while (got < sizeof key) {
        ssize_t n = getrandom((char *)key + got, sizeof key - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        got += (size_t)n;
    }
    if (got < sizeof key) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint32_t k[4] = {(uint32_t)ts.tv_sec, (uint32_t)((uint64_t)ts.tv_sec >> 32),
                         (uint32_t)ts.tv_nsec, (uint32_t)getpid()};
        init_by_array(r, k, 4);
        return;
    }
    init_by_array(r, key, MT_N);
}

// Seeds from big-endian bytes [p, p+len) read as one non-negative int: its 32-bit words,
// least significant first, are the key (a single 0 word for zero).
static bool seed_from_be_bytes(RandomObject *r, const unsigned char *p, size_t len) {
    while (len && *p == 0) {
        p++;
        len--;
    }
    size_t nwords = len ? (len + 3) / 4 : 1;
    uint32_t *key = mini_calloc(nwords, sizeof *key);
    if (!key)
        return false;
    for (size_t i = 0; i < len; i++)
        key[i / 4] |= (uint32_t)p[len - 1 - i] << (8 * (i % 4));
    init_by_array(r, key, nwords);
    mini_free(key);
    return true;
}

// Seeds from the int [n] (its absolute value). False with an exception pending.
static bool seed_from_int(RandomObject *r, MiniObject *n) {
    MiniObject *a = mini_abs(n);
    if (!a)
        return false;
    MiniObject *hex = int_to_string(a, 16);
    MINI_DECREF(a);
    if (!hex)
        return false;
    // Two hex digits a byte: pad to an even number of digits and decode.
    const char *s = STR_DATA(hex);
    size_t ndig = STR_SIZE(hex), nbytes = (ndig + 1) / 2;
    unsigned char *bytes = mini_malloc(nbytes ? nbytes : 1);
    if (!bytes) {
        MINI_DECREF(hex);
        return false;
    }
    for (size_t i = 0; i < nbytes; i++) {
        // Byte i (from the most significant) holds digits [2i - odd, 2i + 1 - odd].
        size_t hi_pos = 2 * i, odd = ndig % 2;
        unsigned v = 0;
        for (size_t k = 0; k < 2; k++) {
            if (odd && i == 0 && k == 0)
                continue;
            char c = s[hi_pos + k - odd];
            v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        bytes[i] = (unsigned char)v;
    }
    MINI_DECREF(hex);
    bool ok = seed_from_be_bytes(r, bytes, nbytes);
    mini_free(bytes);
    return ok;
}

// Seeds from text or bytes as Lib/random.py's version 2 does: the int
// int.from_bytes(a + sha512(a).digest()). False with an exception pending.
static bool seed_from_buffer(RandomObject *r, const char *data, size_t len) {
    unsigned char *buf = mini_malloc(len + 64);
    if (!buf)
        return false;
    memcpy(buf, data, len);
    sha512((const unsigned char *)data, len, buf + len);
    bool ok = seed_from_be_bytes(r, buf, len + 64);
    mini_free(buf);
    return ok;
}

// seed(a): None from the system, an int by its value, str/bytes/bytearray by SHA-512, and
// anything else by its hash, as CPython's random_seed (after Lib/random.py's seed()).
static bool random_do_seed(RandomObject *r, MiniObject *arg) {
    if (!arg || arg == MINI_NONE) {
        seed_from_urandom(r);
        return true;
    }
    if (int_check(arg))
        return seed_from_int(r, arg);
    if (str_check(arg))
        return seed_from_buffer(r, STR_DATA(arg), STR_SIZE(arg));
    if (bytes_check(arg))
        return seed_from_buffer(r, ((MiniBytes *)arg)->data, ((MiniBytes *)arg)->size);
    if (bytearray_check(arg))
        return seed_from_buffer(r, ((MiniByteArray *)arg)->data, ((MiniByteArray *)arg)->size);
    int64_t h = mini_hash(arg);
    if (h == -1 && mini_error_occurred())
        return false;
    // The hash as an unsigned machine word, as CPython's PyLong_FromSize_t((size_t)hash).
    uint64_t u = (uint64_t)h;
    uint32_t key[2] = {(uint32_t)u, (uint32_t)(u >> 32)};
    init_by_array(r, key, key[1] ? 2 : 1);
    return true;
}

// ---------------------------------------------------------------------------------------------
// _random.Random
// ---------------------------------------------------------------------------------------------

static MiniObject *rnd_seed(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    if (!mini_no_kwargs("seed", kwnames) || !mini_check_nargs("seed", nargs, 0, 1))
        return NULL;
    if (!random_do_seed((RandomObject *)self, nargs ? args[0] : NULL))
        return NULL;
    return MINI_NONE;
}

static MiniObject *rnd_random(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)args;
    if (!no_args("Random.random", nargs, kwnames))
        return NULL;
    RandomObject *r = (RandomObject *)self;
    uint32_t a = genrand_uint32(r) >> 5, b = genrand_uint32(r) >> 6;
    return float_new((a * 67108864.0 + b) * (1.0 / 9007199254740992.0));
}

static const char hex_digits[] = "0123456789abcdef";

static MiniObject *rnd_getrandbits(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    if (!one_arg("Random.getrandbits", nargs, kwnames))
        return NULL;
    RandomObject *r = (RandomObject *)self;
    if (float_check(args[0]))
        return mini_raise_str(mini_exc_TypeError,
                              "'float' object cannot be interpreted as an integer");
    MiniObject *ko = mini_index(args[0]);
    if (!ko)
        return NULL;
    int64_t k;
    bool ok = int_as_i64(ko, &k);
    MINI_DECREF(ko);
    if (!ok) {
        if (!mini_error_matches(mini_exc_OverflowError))
            return NULL;
        mini_error_clear();
        k = INT64_MAX;
    }
    if (k > INT32_MAX)
        return mini_raise_str(mini_exc_OverflowError, "Python int too large to convert to C int");
    if (k < 0)
        return mini_raise_str(mini_exc_ValueError, "number of bits must be non-negative");
    if (k == 0)
        return MINI_FROM_SMALLINT(0);
    if (k <= 32)
        return int_from_i64(genrand_uint32(r) >> (32 - k));
    if (k <= 64) {
        uint64_t lo = genrand_uint32(r);
        uint64_t hi = genrand_uint32(r) >> (64 - k);
        return int_from_u64(lo | (hi << 32));
    }
    // Words are drawn least significant first, the last one keeping only its top bits; the
    // int is built from their hex digits, most significant word first.
    size_t words = (size_t)((k - 1) / 32 + 1);
    if (words > SIZE_MAX / 8 - 1)
        return mini_raise_memory();
    char *hex = mini_malloc(words * 8 + 1);
    if (!hex)
        return NULL;
    for (size_t i = 0; i < words; i++, k -= 32) {
        uint32_t w = genrand_uint32(r);
        if (k < 32)
            w >>= (32 - k);
        char *p = hex + (words - 1 - i) * 8;
        for (int j = 7; j >= 0; j--, w >>= 4)
            p[j] = hex_digits[w & 0xf];
    }
    hex[words * 8] = '\0';
    MiniObject *res = int_from_string(hex, words * 8, 16);
    mini_free(hex);
    return res;
}

static MiniObject *rnd_getstate(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)args;
    if (!no_args("Random.getstate", nargs, kwnames))
        return NULL;
    RandomObject *r = (RandomObject *)self;
    MiniObject *t = tuple_new(MT_N + 1);
    if (!t)
        return NULL;
    for (size_t i = 0; i < MT_N; i++)
        TUPLE_ITEMS(t)[i] = int_from_i64(r->state[i]); // always a small int
    TUPLE_ITEMS(t)[MT_N] = int_from_i64(r->index);
    return t;
}

static MiniObject *rnd_setstate(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    if (!one_arg("Random.setstate", nargs, kwnames))
        return NULL;
    MiniObject *st = args[0];
    if (!tuple_check(st))
        return mini_raise_str(mini_exc_TypeError, "state vector must be a tuple");
    if (TUPLE_SIZE(st) != MT_N + 1)
        return mini_raise_str(mini_exc_ValueError, "state vector is the wrong size");
    uint32_t state[MT_N];
    for (size_t i = 0; i < MT_N; i++) {
        MiniObject *v = TUPLE_GET(st, i);
        if (!int_check(v))
            return mini_raise_str(mini_exc_TypeError, "an integer is required");
        int64_t x;
        if (!int_as_i64(v, &x))
            return NULL;
        if (x < 0)
            return mini_raise_str(mini_exc_OverflowError,
                                  "can't convert negative value to unsigned int");
        // CPython keeps the low 32 bits of each unsigned long.
        state[i] = (uint32_t)x;
    }
    MiniObject *iv = TUPLE_GET(st, MT_N);
    if (!int_check(iv))
        return mini_raise(mini_exc_TypeError, "'%s' object cannot be interpreted as an integer",
                          mini_type_name(iv));
    int64_t index;
    if (!int_as_i64(iv, &index))
        return NULL;
    if (index < 0 || index > MT_N)
        return mini_raise_str(mini_exc_ValueError, "invalid state");
    RandomObject *r = (RandomObject *)self;
    memcpy(r->state, state, sizeof state);
    r->index = (int)index;
    return MINI_NONE;
}

// _random.Random(): a generator seeded from the system; Random.__init__ reseeds it.
static MiniObject *rnd_new(MiniType *type, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    (void)args;
    (void)nargs;
    (void)kwnames;
    RandomObject *r = (RandomObject *)mini_type_alloc(type, 0);
    if (!r)
        return NULL;
    seed_from_urandom(r);
    return (MiniObject *)r;
}

static void rnd_dealloc(MiniObject *self) { mini_object_free(self); }

static const MiniMethodDef rnd_methods[] = {
    {"seed", rnd_seed, 0, "seed([n]) -> None.\n\nDefaults to use urandom and falls back to a "
                          "combination\nof the current time and the process identifier."},
    {"random", rnd_random, 0, "random() -> x in the interval [0, 1)."},
    {"getrandbits", rnd_getrandbits, 0, "getrandbits(k) -> x.  Generates an int with k random "
                                        "bits."},
    {"getstate", rnd_getstate, 0, "getstate() -> tuple containing the current state."},
    {"setstate", rnd_setstate, 0, "setstate(state) -> None.  Restores generator state."},
    {NULL, NULL, 0, NULL},
};

static MiniType random_base_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "_random.Random",
    .basicsize = sizeof(RandomObject),
    .flags = MINI_TPFLAG_BASETYPE,
    .dealloc = rnd_dealloc,
    .tp_new = rnd_new,
    .methods = rnd_methods,
    .doc = "Random() -> create a random number generator with its own internal state.",
};

// ---------------------------------------------------------------------------------------------
// The helpers Lib/random.py imports from math and operator
// ---------------------------------------------------------------------------------------------

// The argument as a double, for the math helpers. False with TypeError pending.
static bool math_arg(MiniObject *o, double *out) {
    if (!float_check(o) && !int_check(o)) {
        mini_raise(mini_exc_TypeError, "must be real number, not %s", mini_type_name(o));
        return false;
    }
    *out = float_as_double(o);
    return !(*out == -1.0 && mini_error_occurred());
}

// A math result, with math's errors for a NaN from finite input and for overflow.
static MiniObject *math_result(double x, double r) {
    if (isnan(r) && !isnan(x))
        return mini_raise_str(mini_exc_ValueError, "math domain error");
    if (isinf(r) && isfinite(x))
        return mini_raise_str(mini_exc_OverflowError, "math range error");
    return float_new(r);
}

#define MATH_FUNC1(name, expr)                                                                  \
    static MiniObject *m_##name(MiniObject *self, MiniObject *const *args, size_t nargs,       \
                                MiniObject *kwnames) {                                         \
        (void)self;                                                                            \
        double x;                                                                              \
        if (!one_arg(#name, nargs, kwnames) || !math_arg(args[0], &x))                         \
            return NULL;                                                                       \
        return math_result(x, expr);                                                           \
    }
MATH_FUNC1(exp, exp(x))
MATH_FUNC1(sqrt, x < 0 ? NAN : sqrt(x))
MATH_FUNC1(cos, cos(x))
MATH_FUNC1(sin, sin(x))
MATH_FUNC1(acos, x < -1 || x > 1 ? NAN : acos(x))

// log(x) of a positive number, as math's loghelper for floats and ints. False with ValueError.
static bool log_of(MiniObject *o, double *out) {
    double x;
    if (!math_arg(o, &x))
        return false;
    if (!(x > 0)) {
        mini_raise_str(mini_exc_ValueError, "math domain error");
        return false;
    }
    *out = log(x);
    return true;
}

static MiniObject *m_log(MiniObject *self, MiniObject *const *args, size_t nargs,
                         MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("log", kwnames) || !mini_check_nargs("log", nargs, 1, 2))
        return NULL;
    double num, den;
    if (!log_of(args[0], &num))
        return NULL;
    if (nargs == 1)
        return float_new(num);
    if (!log_of(args[1], &den))
        return NULL;
    if (den == 0)
        return mini_raise_str(mini_exc_ZeroDivisionError, "float division by zero");
    return float_new(num / den);
}

// floor and ceil: an int stays itself, a float is rounded to an int.
static MiniObject *round_to_int(MiniObject *o, bool up) {
    if (int_check(o))
        return mini_index(o);
    double x;
    if (!math_arg(o, &x))
        return NULL;
    return int_from_double(up ? ceil(x) : floor(x));
}

static MiniObject *m_floor(MiniObject *self, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    (void)self;
    return one_arg("floor", nargs, kwnames) ? round_to_int(args[0], false) : NULL;
}

static MiniObject *m_ceil(MiniObject *self, MiniObject *const *args, size_t nargs,
                          MiniObject *kwnames) {
    (void)self;
    return one_arg("ceil", nargs, kwnames) ? round_to_int(args[0], true) : NULL;
}

static MiniObject *m_isfinite(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    double x;
    if (!one_arg("isfinite", nargs, kwnames) || !math_arg(args[0], &x))
        return NULL;
    return isfinite(x) ? MINI_TRUE : MINI_FALSE;
}

static MiniObject *m_index(MiniObject *self, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    (void)self;
    return one_arg("index", nargs, kwnames) ? mini_index(args[0]) : NULL;
}

static const MiniMethodDef random_helpers[] = {
    {"_exp", m_exp, 0, NULL},     {"_sqrt", m_sqrt, 0, NULL},   {"_cos", m_cos, 0, NULL},
    {"_sin", m_sin, 0, NULL},     {"_acos", m_acos, 0, NULL},   {"_log", m_log, 0, NULL},
    {"_floor", m_floor, 0, NULL}, {"_ceil", m_ceil, 0, NULL},   {"_isfinite", m_isfinite, 0, NULL},
    {"_index", m_index, 0, NULL}, {NULL, NULL, 0, NULL},
};

// ---------------------------------------------------------------------------------------------
// The module _random: the generator's C core and the numeric helpers that stdlib/lib/random.py
// (CPython 3.11's Lib/random.py, adapted) imports from it
// ---------------------------------------------------------------------------------------------

// Stores [value] (a new reference, or NULL after a failure) as [key]. 0 or -1.
static int put(MiniObject *d, const char *key, MiniObject *value) {
    if (!value)
        return -1;
    MiniObject *k = mini_intern(key);
    int r = k ? dict_set(d, k, value) : -1;
    MINI_DECREF(value);
    return r;
}

MiniObject *random_init(VM *vm) {
    (void)vm;
    MiniObject *m = module_new_builtin("_random", random_helpers);
    if (!m)
        return NULL;
    MiniObject *d = ((MiniModule *)m)->dict;
    if (!(random_base_type.flags & MINI_TPFLAG_READY) && !type_ready(&random_base_type))
        goto error;
    if (dict_set_cstr(d, "Random", (MiniObject *)&random_base_type) < 0 ||
        put(d, "_e", float_new(M_E)) < 0 || put(d, "_pi", float_new(M_PI)) < 0 ||
        put(d, "__doc__", str_from_cstr("Module implements the Mersenne Twister random number "
                                        "generator.")) < 0)
        goto error;
    return m;

error:
    MINI_DECREF(m);
    return NULL;
}
