// time.c - the time module: clocks, sleep, and conversions between seconds since the epoch,
// struct_time tuples and text, with CPython 3.11's names, results and messages.
//
// struct_time is a static subclass of tuple (as sys.version_info is): it indexes, unpacks and
// compares as the 9-tuple (tm_year, ..., tm_isdst). Like CPython's structseq it also carries
// tm_zone and tm_gmtoff, which are not part of the sequence: they are stored in two extra
// slots after the 9 items (allocated but outside TUPLE_SIZE), which its own dealloc releases.
//
// The time_* functions have the vectorcall signature and return a new reference, or NULL with
// an exception pending.

#include "stdlib.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stdlib_args.h"

// The 9 items of a struct_time, then the two hidden fields.
#define ST_SEQ_FIELDS 9
#define ST_ZONE 9
#define ST_GMTOFF 10
#define ST_ALL_FIELDS 11

// ---------------------------------------------------------------------------------------------
// struct_time
// ---------------------------------------------------------------------------------------------

static const char *const st_field_names[ST_ALL_FIELDS] = {
    "tm_year", "tm_mon", "tm_mday", "tm_hour", "tm_min",  "tm_sec",
    "tm_wday", "tm_yday", "tm_isdst", "tm_zone", "tm_gmtoff",
};

// Field i of a struct_time: None for a hidden field it was made without. New reference.
static MiniObject *st_field(MiniObject *self, size_t i) {
    MiniObject *v = TUPLE_GET(self, i);
    return mini_newref(v ? v : MINI_NONE);
}
static MiniObject *st_year(MiniObject *self) { return st_field(self, 0); }
static MiniObject *st_mon(MiniObject *self) { return st_field(self, 1); }
static MiniObject *st_mday(MiniObject *self) { return st_field(self, 2); }
static MiniObject *st_hour(MiniObject *self) { return st_field(self, 3); }
static MiniObject *st_min(MiniObject *self) { return st_field(self, 4); }
static MiniObject *st_sec(MiniObject *self) { return st_field(self, 5); }
static MiniObject *st_wday(MiniObject *self) { return st_field(self, 6); }
static MiniObject *st_yday(MiniObject *self) { return st_field(self, 7); }
static MiniObject *st_isdst(MiniObject *self) { return st_field(self, 8); }
static MiniObject *st_zone(MiniObject *self) { return st_field(self, ST_ZONE); }
static MiniObject *st_gmtoff(MiniObject *self) { return st_field(self, ST_GMTOFF); }

static const MiniGetSetDef struct_time_getset[] = {
    {"tm_year", st_year, NULL, "year, for example, 1993"},
    {"tm_mon", st_mon, NULL, "month of year, range [1, 12]"},
    {"tm_mday", st_mday, NULL, "day of month, range [1, 31]"},
    {"tm_hour", st_hour, NULL, "hours, range [0, 23]"},
    {"tm_min", st_min, NULL, "minutes, range [0, 59]"},
    {"tm_sec", st_sec, NULL, "seconds, range [0, 61])"},
    {"tm_wday", st_wday, NULL, "day of week, range [0, 6], Monday is 0"},
    {"tm_yday", st_yday, NULL, "day of year, range [1, 366]"},
    {"tm_isdst", st_isdst, NULL, "1 if summer time is in effect, 0 if not, and -1 if unknown"},
    {"tm_zone", st_zone, NULL, "abbreviation of timezone name"},
    {"tm_gmtoff", st_gmtoff, NULL, "offset from UTC in seconds"},
    {NULL, NULL, NULL, NULL},
};

// "time.struct_time(tm_year=1970, tm_mon=1, ...)": the 9 sequence fields only. New str.
static MiniObject *struct_time_repr(MiniObject *self) {
    StrBuf b;
    strbuf_init(&b);
    strbuf_adds(&b, "time.struct_time(");
    for (size_t i = 0; i < ST_SEQ_FIELDS; i++) {
        MiniObject *r = mini_repr(TUPLE_GET(self, i));
        if (!r) {
            strbuf_free(&b);
            return NULL;
        }
        if (i)
            strbuf_adds(&b, ", ");
        strbuf_adds(&b, st_field_names[i]);
        strbuf_addc(&b, '=');
        strbuf_add_obj(&b, r);
        MINI_DECREF(r);
    }
    strbuf_addc(&b, ')');
    return strbuf_finish(&b);
}

// Releases the hidden fields, then the tuple part as a tuple does.
static void struct_time_dealloc(MiniObject *self) {
    MINI_XDECREF(TUPLE_GET(self, ST_ZONE));
    MINI_XDECREF(TUPLE_GET(self, ST_GMTOFF));
    mini_tuple_type.dealloc(self);
}

static MiniObject *struct_time_new(MiniType *type, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames);

// A static subclass of tuple: type_ready() inherits indexing, hashing and comparing from
// tuple. Every instance is allocated with room for ST_ALL_FIELDS items.
static MiniType struct_time_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "time.struct_time",
    .basicsize = sizeof(MiniTuple),
    .flags = MINI_TPFLAG_GC | MINI_TPFLAG_TUPLE_SUBCLASS,
    .base = &mini_tuple_type,
    .dealloc = struct_time_dealloc,
    .tp_new = struct_time_new,
    .repr = struct_time_repr,
    .getset = struct_time_getset,
    .doc = "The time value as returned by gmtime(), localtime(), and strptime(), and\n"
           " accepted by asctime(), mktime() and strftime().",
};

// An empty struct_time (all slots NULL) for the caller to fill. New reference.
static MiniObject *struct_time_alloc(void) {
    MiniTuple *t = (MiniTuple *)mini_type_alloc(&struct_time_type,
                                                ST_ALL_FIELDS * sizeof(MiniObject *));
    if (!t)
        return NULL;
    t->size = ST_SEQ_FIELDS;
    t->hash = -1;
    for (size_t i = 0; i < ST_ALL_FIELDS; i++)
        t->items[i] = NULL;
    return (MiniObject *)t;
}

// time.struct_time(seq): from a sequence of 9 to 11 items, as CPython's structseq_new.
static MiniObject *struct_time_new(MiniType *type, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)type;
    static const char *const names[] = {"sequence", "dict", NULL};
    MiniObject *a[2] = {NULL, NULL};
    if (!mini_parse_args("struct_time", args, nargs, kwnames, names, 1, a))
        return NULL;
    MiniObject *seq = mini_sequence_tuple(a[0]);
    if (!seq)
        return NULL;
    size_t n = TUPLE_SIZE(seq);
    if (n < ST_SEQ_FIELDS || n > ST_ALL_FIELDS) {
        if (n < ST_SEQ_FIELDS)
            mini_raise(mini_exc_TypeError,
                       "time.struct_time() takes an at least 9-sequence (%zu-sequence given)", n);
        else
            mini_raise(mini_exc_TypeError,
                       "time.struct_time() takes an at most 11-sequence (%zu-sequence given)", n);
        MINI_DECREF(seq);
        return NULL;
    }
    MiniObject *st = struct_time_alloc();
    if (st) {
        for (size_t i = 0; i < ST_ALL_FIELDS; i++)
            TUPLE_ITEMS(st)[i] = mini_newref(i < n ? TUPLE_GET(seq, i) : MINI_NONE);
    }
    MINI_DECREF(seq);
    return st;
}

// The struct_time of a broken-down time. New reference.
static MiniObject *struct_time_from_tm(const struct tm *tm) {
    MiniObject *st = struct_time_alloc();
    if (!st)
        return NULL;
    MiniObject **items = TUPLE_ITEMS(st);
    items[0] = int_from_i64((int64_t)tm->tm_year + 1900);
    items[1] = MINI_FROM_SMALLINT(tm->tm_mon + 1);
    items[2] = MINI_FROM_SMALLINT(tm->tm_mday);
    items[3] = MINI_FROM_SMALLINT(tm->tm_hour);
    items[4] = MINI_FROM_SMALLINT(tm->tm_min);
    items[5] = MINI_FROM_SMALLINT(tm->tm_sec);
    // struct tm counts weekdays from Sunday; Python from Monday.
    items[6] = MINI_FROM_SMALLINT((tm->tm_wday + 6) % 7);
    items[7] = MINI_FROM_SMALLINT(tm->tm_yday + 1);
    items[8] = MINI_FROM_SMALLINT(tm->tm_isdst);
    items[ST_ZONE] = tm->tm_zone ? str_decode_utf8(tm->tm_zone, strlen(tm->tm_zone))
                                 : mini_newref(MINI_NONE);
    items[ST_GMTOFF] = int_from_i64(tm->tm_gmtoff);
    if (!items[0] || !items[ST_ZONE] || !items[ST_GMTOFF]) {
        MINI_DECREF(st);
        return NULL;
    }
    return st;
}

// ---------------------------------------------------------------------------------------------
// Argument conversions
// ---------------------------------------------------------------------------------------------

// Seconds since the epoch from [obj] (an int, a float rounded down, or None for now), as
// CPython's _PyTime_ObjectToTime_t. False with an exception pending.
static bool secs_arg(MiniObject *obj, time_t *out) {
    if (!obj || obj == MINI_NONE) {
        *out = time(NULL);
        return true;
    }
    if (float_check(obj)) {
        double d = float_as_double(obj);
        if (isnan(d)) {
            mini_raise_str(mini_exc_ValueError, "Invalid value NaN (not a number)");
            return false;
        }
        d = floor(d);
        if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) {
            mini_raise_str(mini_exc_OverflowError, "timestamp out of range for platform time_t");
            return false;
        }
        *out = (time_t)d;
        return true;
    }
    MiniObject *i = mini_index(obj);
    if (!i)
        return false;
    int64_t v;
    bool ok = int_as_i64(i, &v);
    MINI_DECREF(i);
    if (!ok) {
        if (mini_error_matches(mini_exc_OverflowError)) {
            mini_error_clear();
            mini_raise_str(mini_exc_OverflowError, "timestamp out of range for platform time_t");
        }
        return false;
    }
    *out = (time_t)v;
    return true;
}

// One item of a time tuple as a C int ("i" of PyArg_ParseTuple). False with an exception.
static bool tuple_int(MiniObject *o, int *out) {
    if (float_check(o)) {
        mini_raise_str(mini_exc_TypeError, "'float' object cannot be interpreted as an integer");
        return false;
    }
    MiniObject *i = mini_index(o);
    if (!i)
        return false;
    int64_t v;
    bool ok = int_as_i64(i, &v);
    MINI_DECREF(i);
    if (!ok)
        return false;
    if (v > INT_MAX) {
        mini_raise_str(mini_exc_OverflowError, "signed integer is greater than maximum");
        return false;
    }
    if (v < INT_MIN) {
        mini_raise_str(mini_exc_OverflowError, "signed integer is less than minimum");
        return false;
    }
    *out = (int)v;
    return true;
}

// A struct tm from a 9-tuple or struct_time, as CPython's gettmarg; [fname] names the
// function in "illegal time tuple argument". False with an exception pending.
static bool tm_arg(MiniObject *obj, struct tm *tm, const char *fname) {
    if (!tuple_check(obj)) {
        mini_raise_str(mini_exc_TypeError, "Tuple or struct_time argument required");
        return false;
    }
    if (TUPLE_SIZE(obj) != ST_SEQ_FIELDS) {
        mini_raise(mini_exc_TypeError, "%s(): illegal time tuple argument", fname);
        return false;
    }
    int v[ST_SEQ_FIELDS];
    for (size_t i = 0; i < ST_SEQ_FIELDS; i++)
        if (!tuple_int(TUPLE_GET(obj, i), &v[i]))
            return false;
    memset(tm, 0, sizeof *tm);
    if (v[0] < INT_MIN + 1900) {
        mini_raise_str(mini_exc_OverflowError, "year out of range");
        return false;
    }
    tm->tm_year = v[0] - 1900;
    tm->tm_mon = v[1] - 1;
    tm->tm_mday = v[2];
    tm->tm_hour = v[3];
    tm->tm_min = v[4];
    tm->tm_sec = v[5];
    tm->tm_wday = (v[6] + 1) % 7;
    tm->tm_yday = v[7] - 1;
    tm->tm_isdst = v[8];
    if (mini_type(obj) == &struct_time_type) {
        MiniObject *zone = TUPLE_GET(obj, ST_ZONE), *off = TUPLE_GET(obj, ST_GMTOFF);
        if (zone && str_check(zone))
            tm->tm_zone = STR_DATA(zone);
        int64_t g;
        if (off && int_check(off) && int_as_i64(off, &g))
            tm->tm_gmtoff = (long)g;
        else if (mini_error_occurred())
            mini_error_clear();
    }
    return true;
}

// Range checks of asctime() and strftime(), with CPython's normalisation of zeros (checktm).
static bool check_tm(struct tm *tm) {
    if (tm->tm_mon == -1)
        tm->tm_mon = 0;
    else if (tm->tm_mon < 0 || tm->tm_mon > 11)
        return mini_raise_str(mini_exc_ValueError, "month out of range"), false;
    if (tm->tm_mday == 0)
        tm->tm_mday = 1;
    else if (tm->tm_mday < 0 || tm->tm_mday > 31)
        return mini_raise_str(mini_exc_ValueError, "day of month out of range"), false;
    if (tm->tm_hour < 0 || tm->tm_hour > 23)
        return mini_raise_str(mini_exc_ValueError, "hour out of range"), false;
    if (tm->tm_min < 0 || tm->tm_min > 59)
        return mini_raise_str(mini_exc_ValueError, "minute out of range"), false;
    if (tm->tm_sec < 0 || tm->tm_sec > 61)
        return mini_raise_str(mini_exc_ValueError, "seconds out of range"), false;
    // The % 7 of tm_arg bounds tm_wday above; a negative one is out of range.
    if (tm->tm_wday < 0)
        return mini_raise_str(mini_exc_ValueError, "day of week out of range"), false;
    if (tm->tm_yday == -1)
        tm->tm_yday = 0;
    else if (tm->tm_yday < 0 || tm->tm_yday > 365)
        return mini_raise_str(mini_exc_ValueError, "day of year out of range"), false;
    return true;
}

// ---------------------------------------------------------------------------------------------
// Clocks
// ---------------------------------------------------------------------------------------------

// Reads [clock] as nanoseconds. False with OSError pending.
static bool clock_ns(clockid_t clock, int64_t *out) {
    struct timespec ts;
    if (clock_gettime(clock, &ts) != 0) {
        mini_raise_errno(errno, NULL);
        return false;
    }
    *out = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    return true;
}

// [clock] in seconds as a float, or in nanoseconds as an int. New reference.
static MiniObject *clock_value(const char *fname, clockid_t clock, bool ns, size_t nargs,
                               MiniObject *kwnames) {
    if (!no_args(fname, nargs, kwnames))
        return NULL;
    int64_t v;
    if (!clock_ns(clock, &v))
        return NULL;
    return ns ? int_from_i64(v) : float_new((double)v * 1e-9);
}

#define CLOCK_FUNC(name, qualname, clock, ns)                                                   \
    static MiniObject *time_##name(MiniObject *self, MiniObject *const *args, size_t nargs,    \
                                   MiniObject *kwnames) {                                      \
        (void)self;                                                                            \
        (void)args;                                                                            \
        return clock_value(qualname, clock, ns, nargs, kwnames);                               \
    }
CLOCK_FUNC(time, "time.time", CLOCK_REALTIME, false)
CLOCK_FUNC(time_ns, "time.time_ns", CLOCK_REALTIME, true)
CLOCK_FUNC(perf_counter, "time.perf_counter", CLOCK_MONOTONIC, false)
CLOCK_FUNC(perf_counter_ns, "time.perf_counter_ns", CLOCK_MONOTONIC, true)
CLOCK_FUNC(monotonic, "time.monotonic", CLOCK_MONOTONIC, false)
CLOCK_FUNC(monotonic_ns, "time.monotonic_ns", CLOCK_MONOTONIC, true)
CLOCK_FUNC(process_time, "time.process_time", CLOCK_PROCESS_CPUTIME_ID, false)
CLOCK_FUNC(process_time_ns, "time.process_time_ns", CLOCK_PROCESS_CPUTIME_ID, true)
CLOCK_FUNC(thread_time, "time.thread_time", CLOCK_THREAD_CPUTIME_ID, false)
CLOCK_FUNC(thread_time_ns, "time.thread_time_ns", CLOCK_THREAD_CPUTIME_ID, true)

// ---------------------------------------------------------------------------------------------
// sleep
// ---------------------------------------------------------------------------------------------

// Blocks for [ns] nanoseconds with the GIL released, so other threads run meanwhile. A signal
// interrupts the wait: its handlers run (in the main thread) and, unless one raised, the sleep
// goes on until the deadline. sleep(0) gives the GIL to a waiting thread, if there is one,
// before taking it back. False with an exception pending.
static bool sleep_ns(int64_t ns) {
    ThreadState *ts = mini_ts;
    if (ns == 0) {
        gil_yield(ts);
        return true;
    }
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += (time_t)(ns / 1000000000);
    deadline.tv_nsec += (long)(ns % 1000000000);
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    for (;;) {
        int err;
        MINI_BEGIN_ALLOW_THREADS
        err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL);
        MINI_END_ALLOW_THREADS
        if (err == 0)
            return true;
        if (err != EINTR) {
            mini_raise_errno(err, NULL);
            return false;
        }
        if (!mini_signals_run_pending(ts))
            return false;
    }
}

bool time_seconds_arg(MiniObject *o, double *seconds) {
    if (float_check(o)) {
        *seconds = float_as_double(o);
        if (isnan(*seconds)) {
            mini_raise_str(mini_exc_ValueError, "Invalid value NaN (not a number)");
            return false;
        }
        if (!(fabs(*seconds * 1e9) < 9223372036854775808.0)) {
            mini_raise_str(mini_exc_OverflowError, "timestamp out of range for platform time_t");
            return false;
        }
        return true;
    }
    MiniObject *i = mini_index(o);
    if (!i)
        return false;
    int64_t v;
    bool ok = int_as_i64(i, &v);
    MINI_DECREF(i);
    if (!ok || v > INT64_MAX / 1000000000 || v < INT64_MIN / 1000000000) {
        if (mini_error_occurred())
            mini_error_clear();
        mini_raise_str(mini_exc_OverflowError, "timestamp too large to convert to C _PyTime_t");
        return false;
    }
    *seconds = (double)v;
    return true;
}

static MiniObject *time_sleep(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    if (!one_arg("time.sleep", nargs, kwnames))
        return NULL;
    double d;
    if (!time_seconds_arg(args[0], &d))
        return NULL;
    if (d < 0)
        return mini_raise_str(mini_exc_ValueError, "sleep length must be non-negative");
    // Rounded up, as CPython rounds timeouts, so that a sleep never ends early.
    d = ceil(d * 1e9);
    if (!(d < 9223372036854775808.0))
        return mini_raise_str(mini_exc_OverflowError,
                              "timestamp too large to convert to C _PyTime_t");
    int64_t ns = (int64_t)d;
    if (!sleep_ns(ns))
        return NULL;
    return MINI_NONE;
}

// ---------------------------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------------------------

// gmtime([secs]) and localtime([secs]). New reference.
static MiniObject *broken_down(const char *fname, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames, bool local) {
    if (!mini_no_kwargs(fname, kwnames))
        return NULL;
    if (nargs > 1)
        return mini_raise(mini_exc_TypeError, "%s() takes at most 1 argument (%zu given)", fname,
                          nargs);
    time_t t;
    if (!secs_arg(nargs ? args[0] : NULL, &t))
        return NULL;
    struct tm tm;
    errno = 0;
    if (!(local ? localtime_r(&t, &tm) : gmtime_r(&t, &tm))) {
        if (errno == 0 || errno == EOVERFLOW)
            return mini_raise_str(mini_exc_OverflowError,
                                  "timestamp out of range for platform time_t");
        return mini_raise_errno(errno, NULL);
    }
    return struct_time_from_tm(&tm);
}

static MiniObject *time_gmtime(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    return broken_down("gmtime", args, nargs, kwnames, false);
}

static MiniObject *time_localtime(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    (void)self;
    return broken_down("localtime", args, nargs, kwnames, true);
}

static MiniObject *time_mktime(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    if (!one_arg("time.mktime", nargs, kwnames))
        return NULL;
    struct tm tm;
    if (!tm_arg(args[0], &tm, "mktime"))
        return NULL;
    // mktime() sets tm_wday on success: a -1 left there tells a real error from the valid
    // result -1 (one second before the epoch).
    tm.tm_wday = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1 && tm.tm_wday == -1)
        return mini_raise_str(mini_exc_OverflowError, "mktime argument out of range");
    return float_new((double)t);
}

static const char wday_names[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char mon_names[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// "Thu Jan  1 00:00:00 1970" for a checked struct tm. New str.
static MiniObject *format_asctime(const struct tm *tm) {
    char buf[64];
    snprintf(buf, sizeof buf, "%s %s%3d %.2d:%.2d:%.2d %lld", wday_names[tm->tm_wday],
             mon_names[tm->tm_mon], tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec,
             (long long)tm->tm_year + 1900);
    return str_from_cstr(buf);
}

// The current local time, for the functions whose time tuple is optional.
static bool now_tm(struct tm *tm) {
    time_t t = time(NULL);
    if (!localtime_r(&t, tm)) {
        mini_raise_errno(errno, NULL);
        return false;
    }
    return true;
}

static MiniObject *time_asctime(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("asctime", kwnames))
        return NULL;
    if (nargs > 1)
        return mini_raise(mini_exc_TypeError, "asctime expected at most 1 argument, got %zu",
                          nargs);
    struct tm tm;
    if (nargs == 0 || args[0] == MINI_NONE ? !now_tm(&tm) : !tm_arg(args[0], &tm, "asctime"))
        return NULL;
    if (!check_tm(&tm))
        return NULL;
    return format_asctime(&tm);
}

static MiniObject *time_ctime(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("ctime", kwnames))
        return NULL;
    if (nargs > 1)
        return mini_raise(mini_exc_TypeError, "ctime() takes at most 1 argument (%zu given)",
                          nargs);
    time_t t;
    if (!secs_arg(nargs ? args[0] : NULL, &t))
        return NULL;
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return mini_raise_str(mini_exc_OverflowError,
                              "timestamp out of range for platform time_t");
    return format_asctime(&tm);
}

static MiniObject *time_strftime(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("strftime", kwnames))
        return NULL;
    if (nargs < 1 || nargs > 2)
        return mini_raise(mini_exc_TypeError, "strftime() takes %s (%zu given)",
                          nargs < 1 ? "at least 1 argument" : "at most 2 arguments", nargs);
    MiniObject *fmt = args[0];
    if (!str_check(fmt))
        return mini_raise(mini_exc_TypeError, "strftime() argument 1 must be str, not %s",
                          mini_type_name(fmt));
    struct tm tm;
    if (nargs == 1 ? !now_tm(&tm) : !tm_arg(args[1], &tm, "strftime"))
        return NULL;
    if (!check_tm(&tm))
        return NULL;
    // Only -1, 0 and 1 are meaningful to %Z: clamp as CPython does.
    if (tm.tm_isdst < -1)
        tm.tm_isdst = -1;
    else if (tm.tm_isdst > 1)
        tm.tm_isdst = 1;
    size_t flen = STR_SIZE(fmt);
    if (flen == 0)
        return str_from_cstr("");
    if (strlen(STR_DATA(fmt)) != flen)
        return mini_raise_str(mini_exc_ValueError, "embedded null character");
    // strftime() returns 0 both for a too-small buffer and for an empty result: grow the
    // buffer until it is far larger than any expansion of the format could need.
    for (size_t cap = 1024; cap <= 256 * flen + 1024 * 16; cap *= 2) {
        char *buf = mini_malloc(cap);
        if (!buf)
            return NULL;
        size_t n = strftime(buf, cap, STR_DATA(fmt), &tm);
        if (n > 0 || cap >= 256 * flen) {
            MiniObject *r = str_decode_utf8(buf, n);
            mini_free(buf);
            return r;
        }
        mini_free(buf);
    }
    return str_from_cstr("");
}

// ---------------------------------------------------------------------------------------------
// The module
// ---------------------------------------------------------------------------------------------

static const MiniMethodDef time_functions[] = {
    {"time", time_time, 0, "Return the current time in seconds since the Epoch."},
    {"time_ns", time_time_ns, 0, "Return the current time in nanoseconds since the Epoch."},
    {"perf_counter", time_perf_counter, 0, "Performance counter for benchmarking."},
    {"perf_counter_ns", time_perf_counter_ns, 0, "Performance counter in nanoseconds."},
    {"monotonic", time_monotonic, 0, "Monotonic clock, cannot go backward."},
    {"monotonic_ns", time_monotonic_ns, 0, "Monotonic clock in nanoseconds."},
    {"process_time", time_process_time, 0, "Process time for profiling: sys+user."},
    {"process_time_ns", time_process_time_ns, 0, "Process time in nanoseconds."},
    {"thread_time", time_thread_time, 0, "Thread time for profiling: sys+user."},
    {"thread_time_ns", time_thread_time_ns, 0, "Thread time in nanoseconds."},
    {"sleep", time_sleep, 0, "Delay execution for a given number of seconds."},
    {"gmtime", time_gmtime, 0, "Convert seconds since the Epoch to a time tuple in UTC."},
    {"localtime", time_localtime, 0, "Convert seconds since the Epoch to local time."},
    {"mktime", time_mktime, 0, "Convert a time tuple in local time to seconds since the Epoch."},
    {"asctime", time_asctime, 0, "Convert a time tuple to a string."},
    {"ctime", time_ctime, 0, "Convert a time in seconds since the Epoch to a string."},
    {"strftime", time_strftime, 0, "Convert a time tuple to a string according to a format."},
    {NULL, NULL, 0, NULL},
};

// Stores [value] (a new reference, or NULL after a failure) as [key]. 0 or -1.
static int put(MiniObject *d, const char *key, MiniObject *value) {
    if (!value)
        return -1;
    MiniObject *k = mini_intern(key);
    int r = k ? dict_set(d, k, value) : -1;
    MINI_DECREF(value);
    return r;
}

// The UTC offset (seconds west) and the name of the zone at [t], local time.
static void zone_at(time_t t, long *west, const char **name) {
    struct tm tm;
    if (localtime_r(&t, &tm)) {
        *west = -tm.tm_gmtoff;
        *name = tm.tm_zone ? tm.tm_zone : "UTC";
    } else {
        *west = 0;
        *name = "UTC";
    }
}

// timezone, altzone, daylight and tzname, computed as CPython's init_timezone does: from the
// local zone in January and in July of this year.
static int put_timezone(MiniObject *d) {
    tzset();
    const time_t year = (time_t)((365 * 24 + 6) * 3600);
    time_t t = (time(NULL) / year) * year;
    long jan, jul;
    const char *jan_name, *jul_name;
    zone_at(t, &jan, &jan_name);
    char jan_buf[64];
    snprintf(jan_buf, sizeof jan_buf, "%s", jan_name);
    zone_at(t + year / 2, &jul, &jul_name);
    char jul_buf[64];
    snprintf(jul_buf, sizeof jul_buf, "%s", jul_name);
    // In the southern hemisphere summer time is in January.
    bool reversed = jan < jul;
    long std = reversed ? jul : jan, dst = reversed ? jan : jul;
    const char *std_name = reversed ? jul_buf : jan_buf, *dst_name = reversed ? jan_buf : jul_buf;
    MiniObject *a = str_decode_utf8(std_name, strlen(std_name));
    MiniObject *b = str_decode_utf8(dst_name, strlen(dst_name));
    MiniObject *names = a && b ? tuple_pack(2, a, b) : NULL;
    MINI_XDECREF(a);
    MINI_XDECREF(b);
    if (put(d, "tzname", names) < 0 || put(d, "timezone", int_from_i64(std)) < 0 ||
        put(d, "altzone", int_from_i64(dst)) < 0 ||
        put(d, "daylight", int_from_i64(jan != jul)) < 0)
        return -1;
    return 0;
}

MiniObject *time_init(VM *vm) {
    (void)vm;
    MiniObject *m = module_new_builtin("time", time_functions);
    if (!m)
        return NULL;
    MiniObject *d = ((MiniModule *)m)->dict;
    if (!(struct_time_type.flags & MINI_TPFLAG_READY) && !type_ready(&struct_time_type))
        goto error;
    if (dict_set_cstr(d, "struct_time", (MiniObject *)&struct_time_type) < 0 ||
        put_timezone(d) < 0 ||
        put(d, "__doc__", str_from_cstr("This module provides various functions to manipulate "
                                        "time values.")) < 0)
        goto error;
    return m;

error:
    MINI_DECREF(m);
    return NULL;
}
