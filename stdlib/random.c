// random.c - the random module, bit-for-bit compatible with CPython's for the same seed.
//
// The core is in C, as CPython's _random module: the Mersenne Twister MT19937 with CPython's
// seeding (init_by_array over the 32-bit words of the seed), random(), getrandbits(),
// getstate() and setstate(), as the base type _random.Random. Everything else (randrange,
// choice, shuffle, sample, choices, the distributions and the Random class itself) is the
// Python code of CPython 3.11's Lib/random.py, compiled and run in the module's namespace at
// import: written the same way, it draws the same numbers from the generator in the same
// order, so every sequence matches CPython's. The few helpers it imports from math, bisect,
// itertools and operator are given to it as private module functions (_log, _floor, ...).
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

#include "../compiler/compiler.h"
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
// The module: Lib/random.py's code over the C core
// ---------------------------------------------------------------------------------------------

// CPython 3.11's Lib/random.py from its helper imports on, with the same statements in the
// same order wherever they draw numbers. The differences: the deprecation warnings of
// randrange are not issued, the Sequence test is done by type, and accumulate, bisect and
// repeat are small Python functions.
static const char random_py[] =
    "def _bisect(a, x, lo=0, hi=None):\n"
    "    if hi is None:\n"
    "        hi = len(a)\n"
    "    while lo < hi:\n"
    "        mid = (lo + hi) // 2\n"
    "        if x < a[mid]:\n"
    "            hi = mid\n"
    "        else:\n"
    "            lo = mid + 1\n"
    "    return lo\n"
    "\n"
    "def _accumulate(iterable):\n"
    "    result = []\n"
    "    total = None\n"
    "    first = True\n"
    "    for x in iterable:\n"
    "        total = x if first else total + x\n"
    "        first = False\n"
    "        result.append(total)\n"
    "    return result\n"
    "\n"
    "def _is_sequence(x):\n"
    "    if isinstance(x, (list, tuple, str, range, bytes, bytearray)):\n"
    "        return True\n"
    "    if isinstance(x, (dict, set, frozenset)):\n"
    "        return False\n"
    "    t = type(x)\n"
    "    return hasattr(t, '__getitem__') and hasattr(t, '__len__')\n"
    "\n"
    "NV_MAGICCONST = 4 * _exp(-0.5) / _sqrt(2.0)\n"
    "TWOPI = 2.0 * _pi\n"
    "LOG4 = _log(4.0)\n"
    "SG_MAGICCONST = 1.0 + _log(4.5)\n"
    "BPF = 53\n"
    "RECIP_BPF = 2 ** -BPF\n"
    "_ONE = 1\n"
    "\n"
    "class Random(_Random):\n"
    "    VERSION = 3\n"
    "\n"
    "    def __init__(self, x=None):\n"
    "        self.seed(x)\n"
    "        self.gauss_next = None\n"
    "\n"
    "    def seed(self, a=None, version=2):\n"
    "        if version == 1 and isinstance(a, (str, bytes)):\n"
    "            a = a.decode('latin-1') if isinstance(a, bytes) else a\n"
    "            x = ord(a[0]) << 7 if a else 0\n"
    "            for c in map(ord, a):\n"
    "                x = ((1000003 * x) ^ c) & 0xFFFFFFFFFFFFFFFF\n"
    "            x ^= len(a)\n"
    "            a = -2 if x == -1 else x\n"
    "        elif version == 2 and isinstance(a, (str, bytes, bytearray)):\n"
    "            pass\n"
    "        elif not isinstance(a, (type(None), int, float, str, bytes, bytearray)):\n"
    "            raise TypeError('The only supported seed types are: None,\\n'\n"
    "                            'int, float, str, bytes, and bytearray.')\n"
    "        _Random.seed(self, a)\n"
    "        self.gauss_next = None\n"
    "\n"
    "    def getstate(self):\n"
    "        return self.VERSION, _Random.getstate(self), self.gauss_next\n"
    "\n"
    "    def setstate(self, state):\n"
    "        version = state[0]\n"
    "        if version == 3:\n"
    "            version, internalstate, self.gauss_next = state\n"
    "            _Random.setstate(self, internalstate)\n"
    "        elif version == 2:\n"
    "            version, internalstate, self.gauss_next = state\n"
    "            try:\n"
    "                internalstate = tuple([x % (2 ** 32) for x in internalstate])\n"
    "            except ValueError as e:\n"
    "                raise TypeError from e\n"
    "            _Random.setstate(self, internalstate)\n"
    "        else:\n"
    "            raise ValueError(\"state with version %s passed to \"\n"
    "                             \"Random.setstate() of version %s\" %\n"
    "                             (version, self.VERSION))\n"
    "\n"
    "    def __getstate__(self):\n"
    "        return self.getstate()\n"
    "\n"
    "    def __setstate__(self, state):\n"
    "        self.setstate(state)\n"
    "\n"
    "    def __reduce__(self):\n"
    "        return self.__class__, (), self.getstate()\n"
    "\n"
    "    def __init_subclass__(cls, **kwargs):\n"
    "        for c in cls.__mro__:\n"
    "            if '_randbelow' in c.__dict__:\n"
    "                break\n"
    "            if 'getrandbits' in c.__dict__:\n"
    "                cls._randbelow = cls._randbelow_with_getrandbits\n"
    "                break\n"
    "            if 'random' in c.__dict__:\n"
    "                cls._randbelow = cls._randbelow_without_getrandbits\n"
    "                break\n"
    "\n"
    "    def _randbelow_with_getrandbits(self, n):\n"
    "        getrandbits = self.getrandbits\n"
    "        k = n.bit_length()\n"
    "        r = getrandbits(k)\n"
    "        while r >= n:\n"
    "            r = getrandbits(k)\n"
    "        return r\n"
    "\n"
    "    def _randbelow_without_getrandbits(self, n, maxsize=1<<BPF):\n"
    "        random = self.random\n"
    "        if n >= maxsize:\n"
    "            return _floor(random() * n)\n"
    "        rem = maxsize % n\n"
    "        limit = (maxsize - rem) / maxsize\n"
    "        r = random()\n"
    "        while r >= limit:\n"
    "            r = random()\n"
    "        return _floor(r * maxsize) % n\n"
    "\n"
    "    _randbelow = _randbelow_with_getrandbits\n"
    "\n"
    "    def randbytes(self, n):\n"
    "        return self.getrandbits(n * 8).to_bytes(n, 'little')\n"
    "\n"
    "    def randrange(self, start, stop=None, step=_ONE):\n"
    "        try:\n"
    "            istart = _index(start)\n"
    "        except TypeError:\n"
    "            istart = int(start)\n"
    "            if istart != start:\n"
    "                raise ValueError(\"non-integer arg 1 for randrange()\")\n"
    "        if stop is None:\n"
    "            if step is not _ONE:\n"
    "                raise TypeError('Missing a non-None stop argument')\n"
    "            if istart > 0:\n"
    "                return self._randbelow(istart)\n"
    "            raise ValueError(\"empty range for randrange()\")\n"
    "        try:\n"
    "            istop = _index(stop)\n"
    "        except TypeError:\n"
    "            istop = int(stop)\n"
    "            if istop != stop:\n"
    "                raise ValueError(\"non-integer stop for randrange()\")\n"
    "        width = istop - istart\n"
    "        try:\n"
    "            istep = _index(step)\n"
    "        except TypeError:\n"
    "            istep = int(step)\n"
    "            if istep != step:\n"
    "                raise ValueError(\"non-integer step for randrange()\")\n"
    "        if istep == 1:\n"
    "            if width > 0:\n"
    "                return istart + self._randbelow(width)\n"
    "            raise ValueError(\"empty range for randrange() (%d, %d, %d)\" % (istart, istop, width))\n"
    "        if istep > 0:\n"
    "            n = (width + istep - 1) // istep\n"
    "        elif istep < 0:\n"
    "            n = (width + istep + 1) // istep\n"
    "        else:\n"
    "            raise ValueError(\"zero step for randrange()\")\n"
    "        if n <= 0:\n"
    "            raise ValueError(\"empty range for randrange()\")\n"
    "        return istart + istep * self._randbelow(n)\n"
    "\n"
    "    def randint(self, a, b):\n"
    "        return self.randrange(a, b+1)\n"
    "\n"
    "    def choice(self, seq):\n"
    "        if not len(seq):\n"
    "            raise IndexError('Cannot choose from an empty sequence')\n"
    "        return seq[self._randbelow(len(seq))]\n"
    "\n"
    "    def shuffle(self, x):\n"
    "        randbelow = self._randbelow\n"
    "        for i in reversed(range(1, len(x))):\n"
    "            j = randbelow(i + 1)\n"
    "            x[i], x[j] = x[j], x[i]\n"
    "\n"
    "    def sample(self, population, k, *, counts=None):\n"
    "        if not _is_sequence(population):\n"
    "            raise TypeError(\"Population must be a sequence.  \"\n"
    "                            \"For dicts or sets, use sorted(d).\")\n"
    "        n = len(population)\n"
    "        if counts is not None:\n"
    "            cum_counts = _accumulate(counts)\n"
    "            if len(cum_counts) != n:\n"
    "                raise ValueError('The number of counts does not match the population')\n"
    "            total = cum_counts.pop()\n"
    "            if not isinstance(total, int):\n"
    "                raise TypeError('Counts must be integers')\n"
    "            if total <= 0:\n"
    "                raise ValueError('Total of counts must be greater than zero')\n"
    "            selections = self.sample(range(total), k=k)\n"
    "            bisect = _bisect\n"
    "            return [population[bisect(cum_counts, s)] for s in selections]\n"
    "        randbelow = self._randbelow\n"
    "        if not 0 <= k <= n:\n"
    "            raise ValueError(\"Sample larger than population or is negative\")\n"
    "        result = [None] * k\n"
    "        setsize = 21\n"
    "        if k > 5:\n"
    "            setsize += 4 ** _ceil(_log(k * 3, 4))\n"
    "        if n <= setsize:\n"
    "            pool = list(population)\n"
    "            for i in range(k):\n"
    "                j = randbelow(n - i)\n"
    "                result[i] = pool[j]\n"
    "                pool[j] = pool[n - i - 1]\n"
    "        else:\n"
    "            selected = set()\n"
    "            selected_add = selected.add\n"
    "            for i in range(k):\n"
    "                j = randbelow(n)\n"
    "                while j in selected:\n"
    "                    j = randbelow(n)\n"
    "                selected_add(j)\n"
    "                result[i] = population[j]\n"
    "        return result\n"
    "\n"
    "    def choices(self, population, weights=None, *, cum_weights=None, k=1):\n"
    "        random = self.random\n"
    "        n = len(population)\n"
    "        if cum_weights is None:\n"
    "            if weights is None:\n"
    "                floor = _floor\n"
    "                n += 0.0\n"
    "                return [population[floor(random() * n)] for i in _repeat(k)]\n"
    "            try:\n"
    "                cum_weights = _accumulate(weights)\n"
    "            except TypeError:\n"
    "                if not isinstance(weights, int):\n"
    "                    raise\n"
    "                k = weights\n"
    "                raise TypeError(\n"
    "                    'The number of choices must be a keyword argument: k=' + repr(k)\n"
    "                ) from None\n"
    "        elif weights is not None:\n"
    "            raise TypeError('Cannot specify both weights and cumulative weights')\n"
    "        if len(cum_weights) != n:\n"
    "            raise ValueError('The number of weights does not match the population')\n"
    "        total = cum_weights[-1] + 0.0\n"
    "        if total <= 0.0:\n"
    "            raise ValueError('Total of weights must be greater than zero')\n"
    "        if not _isfinite(total):\n"
    "            raise ValueError('Total of weights must be finite')\n"
    "        bisect = _bisect\n"
    "        hi = n - 1\n"
    "        return [population[bisect(cum_weights, random() * total, 0, hi)]\n"
    "                for i in _repeat(k)]\n"
    "\n"
    "    def uniform(self, a, b):\n"
    "        return a + (b - a) * self.random()\n"
    "\n"
    "    def triangular(self, low=0.0, high=1.0, mode=None):\n"
    "        u = self.random()\n"
    "        try:\n"
    "            c = 0.5 if mode is None else (mode - low) / (high - low)\n"
    "        except ZeroDivisionError:\n"
    "            return low\n"
    "        if u > c:\n"
    "            u = 1.0 - u\n"
    "            c = 1.0 - c\n"
    "            low, high = high, low\n"
    "        return low + (high - low) * _sqrt(u * c)\n"
    "\n"
    "    def normalvariate(self, mu=0.0, sigma=1.0):\n"
    "        random = self.random\n"
    "        while True:\n"
    "            u1 = random()\n"
    "            u2 = 1.0 - random()\n"
    "            z = NV_MAGICCONST * (u1 - 0.5) / u2\n"
    "            zz = z * z / 4.0\n"
    "            if zz <= -_log(u2):\n"
    "                break\n"
    "        return mu + z * sigma\n"
    "\n"
    "    def gauss(self, mu=0.0, sigma=1.0):\n"
    "        random = self.random\n"
    "        z = self.gauss_next\n"
    "        self.gauss_next = None\n"
    "        if z is None:\n"
    "            x2pi = random() * TWOPI\n"
    "            g2rad = _sqrt(-2.0 * _log(1.0 - random()))\n"
    "            z = _cos(x2pi) * g2rad\n"
    "            self.gauss_next = _sin(x2pi) * g2rad\n"
    "        return mu + z * sigma\n"
    "\n"
    "    def lognormvariate(self, mu, sigma):\n"
    "        return _exp(self.normalvariate(mu, sigma))\n"
    "\n"
    "    def expovariate(self, lambd):\n"
    "        return -_log(1.0 - self.random()) / lambd\n"
    "\n"
    "    def vonmisesvariate(self, mu, kappa):\n"
    "        random = self.random\n"
    "        if kappa <= 1e-6:\n"
    "            return TWOPI * random()\n"
    "        s = 0.5 / kappa\n"
    "        r = s + _sqrt(1.0 + s * s)\n"
    "        while True:\n"
    "            u1 = random()\n"
    "            z = _cos(_pi * u1)\n"
    "            d = z / (r + z)\n"
    "            u2 = random()\n"
    "            if u2 < 1.0 - d * d or u2 <= (1.0 - d) * _exp(d):\n"
    "                break\n"
    "        q = 1.0 / r\n"
    "        f = (q + z) / (1.0 + q * z)\n"
    "        u3 = random()\n"
    "        if u3 > 0.5:\n"
    "            theta = (mu + _acos(f)) % TWOPI\n"
    "        else:\n"
    "            theta = (mu - _acos(f)) % TWOPI\n"
    "        return theta\n"
    "\n"
    "    def gammavariate(self, alpha, beta):\n"
    "        if alpha <= 0.0 or beta <= 0.0:\n"
    "            raise ValueError('gammavariate: alpha and beta must be > 0.0')\n"
    "        random = self.random\n"
    "        if alpha > 1.0:\n"
    "            ainv = _sqrt(2.0 * alpha - 1.0)\n"
    "            bbb = alpha - LOG4\n"
    "            ccc = alpha + ainv\n"
    "            while True:\n"
    "                u1 = random()\n"
    "                if not 1e-7 < u1 < 0.9999999:\n"
    "                    continue\n"
    "                u2 = 1.0 - random()\n"
    "                v = _log(u1 / (1.0 - u1)) / ainv\n"
    "                x = alpha * _exp(v)\n"
    "                z = u1 * u1 * u2\n"
    "                r = bbb + ccc * v - x\n"
    "                if r + SG_MAGICCONST - 4.5 * z >= 0.0 or r >= _log(z):\n"
    "                    return x * beta\n"
    "        elif alpha == 1.0:\n"
    "            return -_log(1.0 - random()) * beta\n"
    "        else:\n"
    "            while True:\n"
    "                u = random()\n"
    "                b = (_e + alpha) / _e\n"
    "                p = b * u\n"
    "                if p <= 1.0:\n"
    "                    x = p ** (1.0 / alpha)\n"
    "                else:\n"
    "                    x = -_log((b - p) / alpha)\n"
    "                u1 = random()\n"
    "                if p > 1.0:\n"
    "                    if u1 <= x ** (alpha - 1.0):\n"
    "                        break\n"
    "                elif u1 <= _exp(-x):\n"
    "                    break\n"
    "            return x * beta\n"
    "\n"
    "    def betavariate(self, alpha, beta):\n"
    "        y = self.gammavariate(alpha, 1.0)\n"
    "        if y:\n"
    "            return y / (y + self.gammavariate(beta, 1.0))\n"
    "        return 0.0\n"
    "\n"
    "    def paretovariate(self, alpha):\n"
    "        u = 1.0 - self.random()\n"
    "        return u ** (-1.0 / alpha)\n"
    "\n"
    "    def weibullvariate(self, alpha, beta):\n"
    "        u = 1.0 - self.random()\n"
    "        return alpha * (-_log(u)) ** (1.0 / beta)\n"
    "\n"
    "def _repeat(k):\n"
    "    return range(k)\n"
    "\n"
    "_inst = Random()\n"
    "seed = _inst.seed\n"
    "random = _inst.random\n"
    "uniform = _inst.uniform\n"
    "triangular = _inst.triangular\n"
    "randint = _inst.randint\n"
    "choice = _inst.choice\n"
    "randrange = _inst.randrange\n"
    "sample = _inst.sample\n"
    "shuffle = _inst.shuffle\n"
    "choices = _inst.choices\n"
    "normalvariate = _inst.normalvariate\n"
    "lognormvariate = _inst.lognormvariate\n"
    "expovariate = _inst.expovariate\n"
    "vonmisesvariate = _inst.vonmisesvariate\n"
    "gammavariate = _inst.gammavariate\n"
    "gauss = _inst.gauss\n"
    "betavariate = _inst.betavariate\n"
    "paretovariate = _inst.paretovariate\n"
    "weibullvariate = _inst.weibullvariate\n"
    "getstate = _inst.getstate\n"
    "setstate = _inst.setstate\n"
    "getrandbits = _inst.getrandbits\n"
    "randbytes = _inst.randbytes\n"
    "\n"
    ;

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
    MiniObject *m = module_new_builtin("random", random_helpers);
    if (!m)
        return NULL;
    MiniObject *d = ((MiniModule *)m)->dict;
    if (!(random_base_type.flags & MINI_TPFLAG_READY) && !type_ready(&random_base_type))
        goto error;
    if (dict_set_cstr(d, "_Random", (MiniObject *)&random_base_type) < 0 ||
        put(d, "_e", float_new(M_E)) < 0 || put(d, "_pi", float_new(M_PI)) < 0 ||
        put(d, "__doc__", str_from_cstr("Random variable generators.")) < 0)
        goto error;
    CodeObject *code = compile_source(random_py, sizeof random_py - 1, "<frozen random>",
                                      MODE_EXEC);
    if (!code)
        goto error;
    MiniObject *res = eval_code(code, d, d);
    if (!res)
        goto error;
    MINI_DECREF(res);
    return m;

error:
    MINI_DECREF(m);
    return NULL;
}
