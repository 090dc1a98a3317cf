// os.c - the os module and os.path (CPython's posixpath): the process, its environment, files
// and directories, and the pure path arithmetic of POSIX paths.
//
// Paths are str or bytes (or objects with __fspath__ returning one of them). Every function
// works on the UTF-8 bytes of a str: the separators '/' and '.' are ASCII, so cutting a path at
// them never splits a character, and the pieces are rebuilt as the same kind as the argument.
// Names that come from the system (getcwd, listdir, readlink) are decoded as UTF-8.
//
// os.environ is a small static subclass of dict ("os._Environ") filled once by os_init from
// the process environment; storing or deleting a key also calls setenv/unsetenv, so child
// processes see the change as in CPython. os.stat returns an "os.stat_result" that copies the
// struct stat and computes its fields on access (indexing gives the ten classic fields).
//
// Every call that can block (read, write, close, system, waitpid, wait) releases the GIL
// around exactly the system call, touching no mini object meanwhile. When a signal interrupts
// it (EINTR), the signal's handlers run at once, with the GIL back (stdlib/signal.c), and the
// call is retried unless a handler raised - so Ctrl-C stops a blocked os.read or os.waitpid
// with KeyboardInterrupt, as PEP 475 has CPython do.
//
// os.fork() keeps the GIL across fork(): no other thread runs mini code at that instant, so
// the child's copy of every object is consistent. Buffered standard output is flushed first, so
// that nothing is printed by both processes; the register_at_fork hooks (kept in the VM) run
// around it; the child then rebuilds the runtime for a single thread (vm_after_fork_child) and
// lets threading forget the threads that did not survive.
//
// The os_* and path_* functions have the vectorcall signature and return a new reference, or
// NULL with an exception pending.

#include "stdlib.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stdlib_args.h"

extern char **environ;

// ---------------------------------------------------------------------------------------------
// Path arguments
// ---------------------------------------------------------------------------------------------

// A path argument reduced to its text: [obj] is the str or bytes (owned), [s] and [n] its
// bytes (NUL-terminated), [bytes] its kind.
typedef struct {
    MiniObject *obj;
    const char *s;
    size_t n;
    bool bytes;
} Path;

static void path_release(Path *p) { MINI_CLEAR(p->obj); }

// os.fspath(o): the str or bytes itself, or what its __fspath__ returns. New reference, or
// NULL with no exception when [o] is not path-like (the caller words the TypeError).
static MiniObject *fspath_or_null(MiniObject *o) {
    if (str_check(o) || bytes_check(o))
        return mini_newref(o);
    if (!type_lookup_cstr(mini_type(o), "__fspath__"))
        return NULL;
    MiniObject *r = mini_call_method(o, "__fspath__", 0);
    if (!r)
        return NULL;
    if (!str_check(r) && !bytes_check(r)) {
        mini_raise(mini_exc_TypeError, "expected %s.__fspath__() to return str or bytes, not %s",
                   mini_type_name(o), mini_type_name(r));
        MINI_DECREF(r);
        return NULL;
    }
    return r;
}

// Fills [p] from [o]. [fname] NULL gives posixpath's message ("expected str, bytes or
// os.PathLike object, not int"); otherwise the os function's ("mkdir: path should be string,
// bytes or os.PathLike, not int"), which also refuses embedded NUL bytes. False with an
// exception pending.
static bool path_get(MiniObject *o, Path *p, const char *fname) {
    p->obj = fspath_or_null(o);
    if (!p->obj) {
        if (mini_error_occurred())
            return false;
        if (fname)
            mini_raise(mini_exc_TypeError,
                       "%s: path should be string, bytes or os.PathLike, not %s", fname,
                       mini_type_name(o));
        else
            mini_raise(mini_exc_TypeError, "expected str, bytes or os.PathLike object, not %s",
                       mini_type_name(o));
        return false;
    }
    p->bytes = !str_check(p->obj);
    p->s = p->bytes ? ((MiniBytes *)p->obj)->data : STR_DATA(p->obj);
    p->n = p->bytes ? ((MiniBytes *)p->obj)->size : STR_SIZE(p->obj);
    if (fname && memchr(p->s, '\0', p->n)) {
        path_release(p);
        mini_raise_str(mini_exc_ValueError, "embedded null byte");
        return false;
    }
    return true;
}

// A str or bytes of [n] bytes at [s]. A str is made from pieces of valid UTF-8 cut at ASCII
// bytes, or decoded (strictly) when it comes from the system. New reference.
static MiniObject *make_path(bool bytes, const char *s, size_t n) {
    return bytes ? bytes_new(s, n) : str_decode_utf8(s, n);
}

// The path in [b] as a str or bytes; frees the buffer. New reference.
static MiniObject *buf_finish(StrBuf *b, bool bytes) {
    if (b->failed) {
        strbuf_free(b);
        return NULL;
    }
    MiniObject *r = make_path(bytes, b->data ? b->data : "", b->size);
    strbuf_free(b);
    return r;
}

// Parses the one path argument [argname] of an os.path function.
static bool one_path(const char *fname, const char *argname, MiniObject *const *args,
                     size_t nargs, MiniObject *kwnames, Path *p) {
    const char *const names[] = {argname, NULL};
    MiniObject *a[1] = {NULL};
    if (!mini_parse_args(fname, args, nargs, kwnames, names, 1, a))
        return false;
    return path_get(a[0], p, NULL);
}

// The index just past the last '/' of s[0..n): where the last component starts.
static size_t last_sep_end(const char *s, size_t n) {
    size_t i = n;
    while (i > 0 && s[i - 1] != '/')
        i--;
    return i;
}

// The length of head s[0..n) with trailing slashes removed, unless it is all slashes.
static size_t strip_head(const char *s, size_t n) {
    size_t k = n;
    while (k > 0 && s[k - 1] == '/')
        k--;
    return k == 0 ? n : k;
}

// Appends component [s] to path [b] as posixpath.join does.
static void join_into(StrBuf *b, const char *s, size_t n) {
    if (n > 0 && s[0] == '/')
        b->size = 0;
    else if (b->size > 0 && b->data[b->size - 1] != '/')
        strbuf_addc(b, '/');
    strbuf_add(b, s, n);
}

// posixpath.normpath of s[0..n) into [b] (initialised by the caller).
static void normpath_into(StrBuf *b, const char *s, size_t n) {
    if (n == 0) {
        strbuf_addc(b, '.');
        return;
    }
    int initial = s[0] == '/';
    if (initial && n >= 2 && s[1] == '/' && !(n >= 3 && s[2] == '/'))
        initial = 2;
    for (int i = 0; i < initial; i++)
        strbuf_addc(b, '/');
    size_t base = b->size;
    size_t ncomps = 0; // components written after base
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && s[j] != '/')
            j++;
        const char *c = s + i;
        size_t len = j - i;
        i = j + 1;
        if (len == 0 || (len == 1 && c[0] == '.'))
            continue;
        bool dotdot = len == 2 && c[0] == '.' && c[1] == '.';
        bool last_is_dotdot = false;
        if (ncomps > 0) {
            size_t k = last_sep_end(b->data + base, b->size - base);
            last_is_dotdot = b->size - base - k == 2 && b->data[base + k] == '.' &&
                             b->data[base + k + 1] == '.';
        }
        if (!dotdot || (!initial && ncomps == 0) || last_is_dotdot) {
            if (ncomps > 0)
                strbuf_addc(b, '/');
            strbuf_add(b, c, len);
            ncomps++;
        } else if (ncomps > 0) {
            // Drop the last component and the separator before it.
            size_t k = last_sep_end(b->data + base, b->size - base);
            b->size = base + (k > 0 ? k - 1 : 0);
            ncomps--;
        }
    }
    if (b->size == 0)
        strbuf_addc(b, '.');
}

// ---------------------------------------------------------------------------------------------
// os.path: pure path arithmetic
// ---------------------------------------------------------------------------------------------

// join(a, *p)
static MiniObject *path_join(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("join", kwnames))
        return NULL;
    if (nargs == 0)
        return mini_raise_str(mini_exc_TypeError,
                              "join() missing 1 required positional argument: 'a'");
    Path first;
    if (!path_get(args[0], &first, NULL))
        return NULL;
    StrBuf b;
    strbuf_init(&b);
    strbuf_add(&b, first.s, first.n);
    bool bytes = first.bytes;
    path_release(&first);
    for (size_t i = 1; i < nargs; i++) {
        Path p;
        p.obj = fspath_or_null(args[i]);
        if (!p.obj) {
            if (!mini_error_occurred())
                mini_raise(mini_exc_TypeError,
                           "join() argument must be str, bytes, or os.PathLike object, not '%s'",
                           mini_type_name(args[i]));
            strbuf_free(&b);
            return NULL;
        }
        if (!str_check(p.obj) != bytes) {
            path_release(&p);
            strbuf_free(&b);
            return mini_raise_str(mini_exc_TypeError,
                                  "Can't mix strings and bytes in path components");
        }
        if (bytes)
            join_into(&b, ((MiniBytes *)p.obj)->data, ((MiniBytes *)p.obj)->size);
        else
            join_into(&b, STR_DATA(p.obj), STR_SIZE(p.obj));
        path_release(&p);
    }
    return buf_finish(&b, bytes);
}

// split(p) -> (head, tail)
static MiniObject *path_split(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    Path p;
    if (!one_path("split", "p", args, nargs, kwnames, &p))
        return NULL;
    size_t i = last_sep_end(p.s, p.n);
    MiniObject *head = make_path(p.bytes, p.s, strip_head(p.s, i));
    MiniObject *tail = make_path(p.bytes, p.s + i, p.n - i);
    MiniObject *r = head && tail ? tuple_pack(2, head, tail) : NULL;
    MINI_XDECREF(head);
    MINI_XDECREF(tail);
    path_release(&p);
    return r;
}

// basename(p)
static MiniObject *path_basename(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    Path p;
    if (!one_path("basename", "p", args, nargs, kwnames, &p))
        return NULL;
    size_t i = last_sep_end(p.s, p.n);
    MiniObject *r = make_path(p.bytes, p.s + i, p.n - i);
    path_release(&p);
    return r;
}

// dirname(p)
static MiniObject *path_dirname(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    Path p;
    if (!one_path("dirname", "p", args, nargs, kwnames, &p))
        return NULL;
    MiniObject *r = make_path(p.bytes, p.s, strip_head(p.s, last_sep_end(p.s, p.n)));
    path_release(&p);
    return r;
}

// splitext(p) -> (root, ext): a leading run of dots is part of the name, not an extension.
static MiniObject *path_splitext(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    Path p;
    if (!one_path("splitext", "p", args, nargs, kwnames, &p))
        return NULL;
    size_t name = last_sep_end(p.s, p.n);
    size_t cut = p.n;
    const char *dot = NULL;
    for (size_t k = p.n; k > name; k--)
        if (p.s[k - 1] == '.') {
            dot = p.s + k - 1;
            break;
        }
    if (dot)
        for (const char *c = p.s + name; c < dot; c++)
            if (*c != '.') {
                cut = (size_t)(dot - p.s);
                break;
            }
    MiniObject *root = make_path(p.bytes, p.s, cut);
    MiniObject *ext = make_path(p.bytes, p.s + cut, p.n - cut);
    MiniObject *r = root && ext ? tuple_pack(2, root, ext) : NULL;
    MINI_XDECREF(root);
    MINI_XDECREF(ext);
    path_release(&p);
    return r;
}

// isabs(s)
static MiniObject *path_isabs(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    Path p;
    if (!one_path("isabs", "s", args, nargs, kwnames, &p))
        return NULL;
    bool r = p.n > 0 && p.s[0] == '/';
    path_release(&p);
    return MINI_BOOL(r);
}

// normpath(path)
static MiniObject *path_normpath(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    Path p;
    if (!one_path("normpath", "path", args, nargs, kwnames, &p))
        return NULL;
    StrBuf b;
    strbuf_init(&b);
    normpath_into(&b, p.s, p.n);
    MiniObject *r = buf_finish(&b, p.bytes);
    path_release(&p);
    return r;
}

// The current directory into [b] (appended). False with OSError pending.
static bool getcwd_into(StrBuf *b) {
    size_t cap = 256;
    for (;;) {
        char *buf = mini_malloc(cap);
        if (!buf)
            return false;
        if (getcwd(buf, cap)) {
            strbuf_adds(b, buf);
            mini_free(buf);
            return true;
        }
        int err = errno;
        mini_free(buf);
        if (err != ERANGE) {
            mini_raise_errno(err, NULL);
            return false;
        }
        cap *= 2;
    }
}

// abspath of s[0..n) into [b] (initialised by the caller). False with an exception.
static bool abspath_into(StrBuf *b, const char *s, size_t n) {
    if (n > 0 && s[0] == '/') {
        normpath_into(b, s, n);
        return !b->failed;
    }
    StrBuf tmp;
    strbuf_init(&tmp);
    if (!getcwd_into(&tmp)) {
        strbuf_free(&tmp);
        return false;
    }
    join_into(&tmp, s, n);
    if (!tmp.failed)
        normpath_into(b, tmp.data, tmp.size);
    bool ok = !tmp.failed && !b->failed;
    strbuf_free(&tmp);
    return ok;
}

// abspath(path)
static MiniObject *path_abspath(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    Path p;
    if (!one_path("abspath", "path", args, nargs, kwnames, &p))
        return NULL;
    StrBuf b;
    strbuf_init(&b);
    MiniObject *r = abspath_into(&b, p.s, p.n) ? buf_finish(&b, p.bytes) : NULL;
    if (!r)
        strbuf_free(&b);
    path_release(&p);
    return r;
}

// readlink of the NUL-terminated [path] into [b] (appended). False with OSError pending.
static bool readlink_into(StrBuf *b, const char *path, MiniObject *filename) {
    size_t cap = 256;
    for (;;) {
        char *buf = mini_malloc(cap);
        if (!buf)
            return false;
        ssize_t n = readlink(path, buf, cap);
        if (n < 0) {
            int err = errno;
            mini_free(buf);
            mini_raise_errno(err, filename);
            return false;
        }
        if ((size_t)n < cap) {
            strbuf_add(b, buf, (size_t)n);
            mini_free(buf);
            return true;
        }
        mini_free(buf);
        cap *= 2;
    }
}

// CPython's posixpath._joinrealpath: resolves the components of rest[0..rn) against the
// already-resolved [path], following symlinks; [seen] maps each link being or already
// resolved (bytes) to its resolution, or None while it is in progress (a loop). 1 when fully
// resolved, 0 when a loop stopped it (the rest is appended unresolved), -1 on error.
static int joinrealpath(StrBuf *path, const char *rest, size_t rn, MiniObject *seen) {
    if (rn > 0 && rest[0] == '/') {
        rest++, rn--;
        path->size = 0;
        strbuf_addc(path, '/');
    }
    while (rn > 0) {
        const char *slash = memchr(rest, '/', rn);
        const char *name = rest;
        size_t nlen = slash ? (size_t)(slash - rest) : rn;
        rest += slash ? nlen + 1 : nlen;
        rn -= slash ? nlen + 1 : nlen;
        if (nlen == 0 || (nlen == 1 && name[0] == '.'))
            continue;
        if (nlen == 2 && name[0] == '.' && name[1] == '.') {
            if (path->size > 0) {
                size_t i = last_sep_end(path->data, path->size);
                bool tail_dotdot = path->size - i == 2 && path->data[i] == '.' &&
                                   path->data[i + 1] == '.';
                path->size = strip_head(path->data, i);
                if (tail_dotdot) {
                    join_into(path, "..", 2);
                    join_into(path, "..", 2);
                }
            } else {
                strbuf_add(path, "..", 2);
            }
            continue;
        }
        StrBuf np;
        strbuf_init(&np);
        strbuf_add(&np, path->data ? path->data : "", path->size);
        join_into(&np, name, nlen);
        strbuf_addc(&np, '\0');
        if (np.failed)
            return -1;
        struct stat st;
        bool is_link = lstat(np.data, &st) == 0 && S_ISLNK(st.st_mode);
        size_t nplen = np.size - 1;
        if (!is_link) {
            path->size = 0;
            strbuf_add(path, np.data, nplen);
            strbuf_free(&np);
            continue;
        }
        MiniObject *key = bytes_new(np.data, nplen);
        if (!key) {
            strbuf_free(&np);
            return -1;
        }
        MiniObject *known = dict_get(seen, key);
        if (known || mini_error_occurred()) {
            int r = -1;
            if (known && known != MINI_NONE) {
                path->size = 0;
                strbuf_add(path, ((MiniBytes *)known)->data, ((MiniBytes *)known)->size);
                r = 1;
            } else if (known) {
                path->size = 0;
                strbuf_add(path, np.data, nplen);
                join_into(path, rest, rn);
                r = 0;
            }
            MINI_DECREF(key);
            strbuf_free(&np);
            if (r != 1)
                return r;
            continue;
        }
        StrBuf link;
        strbuf_init(&link);
        int r = -1;
        if (dict_set(seen, key, MINI_NONE) == 0 && readlink_into(&link, np.data, NULL) &&
            !link.failed)
            r = joinrealpath(path, link.data, link.size, seen);
        strbuf_free(&link);
        strbuf_free(&np);
        if (r == 1) {
            MiniObject *v = bytes_new(path->data ? path->data : "", path->size);
            if (!v || dict_set(seen, key, v) < 0)
                r = -1;
            MINI_XDECREF(v);
        } else if (r == 0) {
            join_into(path, rest, rn);
        }
        MINI_DECREF(key);
        if (r != 1)
            return path->failed ? -1 : r;
    }
    return path->failed ? -1 : 1;
}

// realpath(filename, *, strict=False); strict is accepted but not enforced.
static MiniObject *path_realpath(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"filename", "$strict", NULL};
    MiniObject *a[2] = {NULL, NULL};
    if (!mini_parse_args("realpath", args, nargs, kwnames, names, 1, a))
        return NULL;
    Path p;
    if (!path_get(a[0], &p, NULL))
        return NULL;
    MiniObject *seen = dict_new();
    StrBuf b, out;
    strbuf_init(&b);
    strbuf_init(&out);
    MiniObject *r = NULL;
    if (seen && joinrealpath(&b, p.s, p.n, seen) >= 0 &&
        abspath_into(&out, b.data ? b.data : "", b.size))
        r = buf_finish(&out, p.bytes);
    else
        strbuf_free(&out);
    strbuf_free(&b);
    MINI_XDECREF(seen);
    path_release(&p);
    return r;
}

// expanduser(path): a leading ~ or ~user becomes that user's home directory.
static MiniObject *path_expanduser(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)self;
    Path p;
    if (!one_path("expanduser", "path", args, nargs, kwnames, &p))
        return NULL;
    if (p.n == 0 || p.s[0] != '~')
        return p.obj;
    const char *slash = memchr(p.s + 1, '/', p.n - 1);
    size_t i = slash ? (size_t)(slash - p.s) : p.n;
    const char *home = NULL;
    if (i == 1) {
        home = getenv("HOME");
        if (!home) {
            struct passwd *pw = getpwuid(getuid());
            home = pw ? pw->pw_dir : NULL;
        }
    } else {
        char *user = mini_malloc(i);
        if (!user) {
            path_release(&p);
            return NULL;
        }
        memcpy(user, p.s + 1, i - 1);
        user[i - 1] = '\0';
        struct passwd *pw = getpwnam(user);
        mini_free(user);
        home = pw ? pw->pw_dir : NULL;
    }
    if (!home)
        return p.obj;
    size_t hn = strlen(home);
    while (hn > 0 && home[hn - 1] == '/')
        hn--;
    StrBuf b;
    strbuf_init(&b);
    strbuf_add(&b, home, hn);
    strbuf_add(&b, p.s + i, p.n - i);
    if (b.size == 0)
        strbuf_addc(&b, '/');
    MiniObject *r = buf_finish(&b, p.bytes);
    path_release(&p);
    return r;
}

// The next non-empty component of s[*i..n): its start in *c and length; false at the end.
static bool next_comp(const char *s, size_t n, size_t *i, size_t *c, size_t *len) {
    while (*i < n && s[*i] == '/')
        (*i)++;
    if (*i >= n)
        return false;
    *c = *i;
    while (*i < n && s[*i] != '/')
        (*i)++;
    *len = *i - *c;
    return true;
}

// relpath(path, start=None)
static MiniObject *path_relpath(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"path", "start", NULL};
    MiniObject *a[2] = {NULL, MINI_NONE};
    if (!mini_parse_args("relpath", args, nargs, kwnames, names, 1, a))
        return NULL;
    Path p, s = {NULL, ".", 1, false};
    if (!path_get(a[0], &p, NULL))
        return NULL;
    if (p.n == 0) {
        path_release(&p);
        return mini_raise_str(mini_exc_ValueError, "no path specified");
    }
    if (a[1] != MINI_NONE) {
        if (!path_get(a[1], &s, NULL)) {
            path_release(&p);
            return NULL;
        }
        if (s.bytes != p.bytes) {
            path_release(&p);
            path_release(&s);
            return mini_raise_str(mini_exc_TypeError,
                                  "Can't mix strings and bytes in path components");
        }
        if (s.n == 0) // `start or curdir`
            s.s = ".", s.n = 1;
    } else if (p.bytes) {
        s.bytes = true;
    }
    StrBuf ap, as, out;
    strbuf_init(&ap);
    strbuf_init(&as);
    strbuf_init(&out);
    MiniObject *r = NULL;
    if (abspath_into(&ap, p.s, p.n) && abspath_into(&as, s.s, s.n)) {
        // Skip the common leading components, climb out of the rest of start, then descend.
        size_t ip = 0, is = 0, cp = 0, lp = 0, cs = 0, ls = 0;
        bool hp = next_comp(ap.data, ap.size, &ip, &cp, &lp);
        bool hs = next_comp(as.data, as.size, &is, &cs, &ls);
        while (hp && hs && lp == ls && memcmp(ap.data + cp, as.data + cs, lp) == 0) {
            hp = next_comp(ap.data, ap.size, &ip, &cp, &lp);
            hs = next_comp(as.data, as.size, &is, &cs, &ls);
        }
        while (hs) {
            join_into(&out, "..", 2);
            hs = next_comp(as.data, as.size, &is, &cs, &ls);
        }
        while (hp) {
            join_into(&out, ap.data + cp, lp);
            hp = next_comp(ap.data, ap.size, &ip, &cp, &lp);
        }
        if (out.size == 0)
            strbuf_addc(&out, '.');
        r = buf_finish(&out, p.bytes);
    } else {
        strbuf_free(&out);
    }
    strbuf_free(&ap);
    strbuf_free(&as);
    path_release(&p);
    path_release(&s);
    return r;
}

// commonprefix(m): the longest common leading text of a sequence of paths.
static MiniObject *path_commonprefix(MiniObject *self, MiniObject *const *args, size_t nargs,
                                     MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"m", NULL};
    MiniObject *a[1] = {NULL};
    if (!mini_parse_args("commonprefix", args, nargs, kwnames, names, 1, a))
        return NULL;
    MiniObject *items = mini_sequence_list(a[0]);
    if (!items)
        return NULL;
    MiniObject *r = NULL;
    size_t count = LIST_SIZE(items);
    if (count == 0) {
        r = mini_newref(mini_runtime.empty_str);
        goto done;
    }
    // Every item becomes its str or bytes; the prefix of the smallest and the largest is the
    // prefix of them all.
    for (size_t i = 0; i < count; i++) {
        MiniObject *o = fspath_or_null(LIST_GET(items, i));
        if (!o) {
            if (!mini_error_occurred())
                mini_raise(mini_exc_TypeError,
                           "expected str, bytes or os.PathLike object, not %s",
                           mini_type_name(LIST_GET(items, i)));
            goto done;
        }
        MINI_SETREF(LIST_ITEMS(items)[i], o);
    }
    MiniObject *lo = LIST_GET(items, 0), *hi = lo;
    for (size_t i = 1; i < count; i++) {
        MiniObject *o = LIST_GET(items, i);
        int lt = mini_richcompare_bool(o, lo, CMP_LT);
        int gt = lt < 0 ? -1 : mini_richcompare_bool(o, hi, CMP_GT);
        if (lt < 0 || gt < 0)
            goto done;
        if (lt)
            lo = o;
        if (gt)
            hi = o;
    }
    bool bytes = !str_check(lo);
    const char *s1 = bytes ? ((MiniBytes *)lo)->data : STR_DATA(lo);
    const char *s2 = bytes ? ((MiniBytes *)hi)->data : STR_DATA(hi);
    size_t n1 = bytes ? ((MiniBytes *)lo)->size : STR_SIZE(lo);
    size_t n2 = bytes ? ((MiniBytes *)hi)->size : STR_SIZE(hi);
    size_t k = 0;
    while (k < n1 && k < n2 && s1[k] == s2[k])
        k++;
    // Never cut a str inside a character: back up to the start of a UTF-8 sequence.
    if (!bytes)
        while (k > 0 && k < n1 && (s1[k] & 0xC0) == 0x80)
            k--;
    r = make_path(bytes, s1, k);
done:
    MINI_DECREF(items);
    return r;
}

// ---------------------------------------------------------------------------------------------
// os.stat_result
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    struct stat st;
} StatResult;

#define STAT_NFIELDS 10

static double ts_double(struct timespec t) { return (double)t.tv_sec + t.tv_nsec * 1e-9; }
static MiniObject *ts_ns(struct timespec t) {
    // Nanoseconds since the epoch overflow 63 bits only in the year 2262.
    return int_from_i64((int64_t)t.tv_sec * 1000000000 + t.tv_nsec);
}

// The classic field [i] of the tuple view. New reference.
static MiniObject *stat_item(const struct stat *st, size_t i) {
    switch (i) {
    case 0: return int_from_u64(st->st_mode);
    case 1: return int_from_u64(st->st_ino);
    case 2: return int_from_u64(st->st_dev);
    case 3: return int_from_u64(st->st_nlink);
    case 4: return int_from_u64(st->st_uid);
    case 5: return int_from_u64(st->st_gid);
    case 6: return int_from_i64(st->st_size);
    case 7: return int_from_i64(st->st_atim.tv_sec);
    case 8: return int_from_i64(st->st_mtim.tv_sec);
    default: return int_from_i64(st->st_ctim.tv_sec);
    }
}

#define STAT_GET(field, expr)                                                                    \
    static MiniObject *stat_get_##field(MiniObject *self) {                                      \
        const struct stat *st = &((StatResult *)self)->st;                                       \
        return expr;                                                                             \
    }
STAT_GET(st_mode, stat_item(st, 0))
STAT_GET(st_ino, stat_item(st, 1))
STAT_GET(st_dev, stat_item(st, 2))
STAT_GET(st_nlink, stat_item(st, 3))
STAT_GET(st_uid, stat_item(st, 4))
STAT_GET(st_gid, stat_item(st, 5))
STAT_GET(st_size, stat_item(st, 6))
STAT_GET(st_atime, float_new(ts_double(st->st_atim)))
STAT_GET(st_mtime, float_new(ts_double(st->st_mtim)))
STAT_GET(st_ctime, float_new(ts_double(st->st_ctim)))
STAT_GET(st_atime_ns, ts_ns(st->st_atim))
STAT_GET(st_mtime_ns, ts_ns(st->st_mtim))
STAT_GET(st_ctime_ns, ts_ns(st->st_ctim))
STAT_GET(st_blksize, int_from_i64(st->st_blksize))
STAT_GET(st_blocks, int_from_i64(st->st_blocks))
STAT_GET(st_rdev, int_from_u64(st->st_rdev))

static const MiniGetSetDef stat_getset[] = {
#define F(name) {#name, stat_get_##name, NULL, NULL},
    F(st_mode) F(st_ino) F(st_dev) F(st_nlink) F(st_uid) F(st_gid) F(st_size) F(st_atime)
    F(st_mtime) F(st_ctime) F(st_atime_ns) F(st_mtime_ns) F(st_ctime_ns) F(st_blksize)
    F(st_blocks) F(st_rdev)
#undef F
    {NULL, NULL, NULL, NULL},
};

static ssize_t stat_len(MiniObject *self) {
    (void)self;
    return STAT_NFIELDS;
}

static MiniObject *stat_getitem(MiniObject *self, MiniObject *key) {
    if (!int_check(key))
        return mini_raise(mini_exc_TypeError, "tuple indices must be integers or slices, not %s",
                          mini_type_name(key));
    ssize_t i = mini_as_ssize(key);
    if (i == -1 && mini_error_occurred())
        return NULL;
    if (i < 0)
        i += STAT_NFIELDS;
    if (i < 0 || i >= STAT_NFIELDS)
        return mini_raise_str(mini_exc_IndexError, "tuple index out of range");
    return stat_item(&((StatResult *)self)->st, (size_t)i);
}

// "os.stat_result(st_mode=16877, st_ino=..., ..., st_ctime=1700000000)". New str.
static MiniObject *stat_repr(MiniObject *self) {
    static const char *const names[STAT_NFIELDS] = {
        "st_mode", "st_ino", "st_dev", "st_nlink", "st_uid",
        "st_gid",  "st_size", "st_atime", "st_mtime", "st_ctime"};
    StrBuf b;
    strbuf_init(&b);
    strbuf_adds(&b, "os.stat_result(");
    for (size_t i = 0; i < STAT_NFIELDS; i++) {
        MiniObject *v = stat_item(&((StatResult *)self)->st, i);
        MiniObject *s = v ? mini_repr(v) : NULL;
        MINI_XDECREF(v);
        if (!s) {
            strbuf_free(&b);
            return NULL;
        }
        strbuf_addf(&b, "%s%s=", i ? ", " : "", names[i]);
        strbuf_add_obj(&b, s);
        MINI_DECREF(s);
    }
    strbuf_addc(&b, ')');
    return strbuf_finish(&b);
}

static void stat_dealloc(MiniObject *self) { mini_object_free(self); }

static MiniType stat_result_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "os.stat_result",
    .basicsize = sizeof(StatResult),
    .dealloc = stat_dealloc,
    .repr = stat_repr,
    .len = stat_len,
    .getitem = stat_getitem,
    .getset = stat_getset,
    .doc = "stat_result: Result from stat, fstat, or lstat.",
};

static MiniObject *stat_result_new(const struct stat *st) {
    StatResult *r = (StatResult *)mini_type_alloc(&stat_result_type, 0);
    if (r)
        r->st = *st;
    return (MiniObject *)r;
}

// stat or lstat of [o] (a path, or for stat also a file descriptor) into *st. 1 done, 0 the
// system call failed (errno set, nothing raised: os.path.exists answers False), -1 TypeError
// or ValueError pending (*value_error tells which).
static int do_stat(MiniObject *o, struct stat *st, bool follow, const char *fname,
                   bool *value_error) {
    *value_error = false;
    if (follow && int_check(o)) {
        int64_t fd;
        if (!int_as_i64(o, &fd))
            return -1;
        if (fd < INT_MIN || fd > INT_MAX) {
            errno = EBADF;
            return 0;
        }
        return fstat((int)fd, st) == 0;
    }
    MiniObject *p = fspath_or_null(o);
    if (!p) {
        if (!mini_error_occurred())
            mini_raise(mini_exc_TypeError, "%s: path should be string, bytes%s, not %s", fname,
                       follow ? ", os.PathLike or integer" : " or os.PathLike",
                       mini_type_name(o));
        return -1;
    }
    const char *s = str_check(p) ? STR_DATA(p) : ((MiniBytes *)p)->data;
    size_t n = str_check(p) ? STR_SIZE(p) : ((MiniBytes *)p)->size;
    int r;
    if (memchr(s, '\0', n)) {
        mini_raise_str(mini_exc_ValueError, "embedded null byte");
        *value_error = true;
        r = -1;
    } else {
        r = (follow ? stat(s, st) : lstat(s, st)) == 0;
    }
    int err = errno;
    MINI_DECREF(p);
    errno = err;
    return r;
}

// ---------------------------------------------------------------------------------------------
// os.path queries that ask the file system
// ---------------------------------------------------------------------------------------------

// exists/isfile/isdir/islink/lexists: stat [args[0]] and test its mode with [kind]: 0 any,
// else the S_IFMT value wanted. OSError and ValueError mean False.
static MiniObject *path_query(const char *fname, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames, bool follow, mode_t kind) {
    static const char *const names[] = {"path", NULL};
    MiniObject *a[1] = {NULL};
    if (!mini_parse_args(fname, args, nargs, kwnames, names, 1, a))
        return NULL;
    struct stat st;
    bool value_error;
    int r = do_stat(a[0], &st, follow, follow ? "stat" : "lstat", &value_error);
    if (r < 0) {
        if (!value_error)
            return NULL;
        mini_error_clear();
        return MINI_FALSE;
    }
    return MINI_BOOL(r && (kind == 0 || (st.st_mode & S_IFMT) == kind));
}

static MiniObject *path_exists(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    return path_query("exists", args, nargs, kwnames, true, 0);
}
static MiniObject *path_lexists(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    return path_query("lexists", args, nargs, kwnames, false, 0);
}
static MiniObject *path_isfile(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    return path_query("isfile", args, nargs, kwnames, true, S_IFREG);
}
static MiniObject *path_isdir(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    return path_query("isdir", args, nargs, kwnames, true, S_IFDIR);
}
static MiniObject *path_islink(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    return path_query("islink", args, nargs, kwnames, false, S_IFLNK);
}

// getsize/getmtime/getatime/getctime: one field of os.stat(filename). [which]: 0 size,
// 1 mtime, 2 atime, 3 ctime.
static MiniObject *path_stat_field(const char *fname, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames, int which) {
    static const char *const names[] = {"filename", NULL};
    MiniObject *a[1] = {NULL};
    if (!mini_parse_args(fname, args, nargs, kwnames, names, 1, a))
        return NULL;
    struct stat st;
    bool value_error;
    int r = do_stat(a[0], &st, true, "stat", &value_error);
    if (r < 0)
        return NULL;
    if (r == 0)
        return mini_raise_errno(errno, a[0]);
    switch (which) {
    case 0: return int_from_i64(st.st_size);
    case 1: return float_new(ts_double(st.st_mtim));
    case 2: return float_new(ts_double(st.st_atim));
    default: return float_new(ts_double(st.st_ctim));
    }
}

static MiniObject *path_getsize(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    return path_stat_field("getsize", args, nargs, kwnames, 0);
}
static MiniObject *path_getmtime(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    return path_stat_field("getmtime", args, nargs, kwnames, 1);
}
static MiniObject *path_getatime(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    return path_stat_field("getatime", args, nargs, kwnames, 2);
}
static MiniObject *path_getctime(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    return path_stat_field("getctime", args, nargs, kwnames, 3);
}

// ---------------------------------------------------------------------------------------------
// os: the process
// ---------------------------------------------------------------------------------------------

static MiniObject *os_getpid(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("posix.getpid", nargs, kwnames))
        return NULL;
    return int_from_i64(getpid());
}

static MiniObject *os_getppid(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("posix.getppid", nargs, kwnames))
        return NULL;
    return int_from_i64(getppid());
}

static MiniObject *os_getuid(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("posix.getuid", nargs, kwnames))
        return NULL;
    return int_from_u64(getuid());
}

static MiniObject *os_getgid(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("posix.getgid", nargs, kwnames))
        return NULL;
    return int_from_u64(getgid());
}

static MiniObject *os_getlogin(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("posix.getlogin", nargs, kwnames))
        return NULL;
    errno = 0;
    const char *name = getlogin();
    if (!name)
        return mini_raise_errno(errno ? errno : ENOTTY, NULL);
    return str_decode_utf8(name, strlen(name));
}

static MiniObject *os_getcwd(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("posix.getcwd", nargs, kwnames))
        return NULL;
    StrBuf b;
    strbuf_init(&b);
    if (!getcwd_into(&b)) {
        strbuf_free(&b);
        return NULL;
    }
    return buf_finish(&b, false);
}

static MiniObject *os_cpu_count(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("posix.cpu_count", nargs, kwnames))
        return NULL;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? MINI_NONE : int_from_i64(n);
}

// After a blocking call failed with EINTR: runs the handlers of the signals that came (in the
// main thread; elsewhere nothing), as CPython does under PEP 475. True: retry the call; false:
// a handler raised (KeyboardInterrupt...) and its exception is pending.
static bool retry_after_eintr(void) { return mini_signals_run_pending(mini_ts); }


static MiniObject *os_strerror(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    int code;
    if (!one_arg("strerror", nargs, kwnames) || !mini_arg_int(args[0], &code))
        return NULL;
    return str_from_cstr(strerror(code));
}

static MiniObject *os_umask(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    (void)self;
    int mask;
    if (!one_arg("umask", nargs, kwnames) || !mini_arg_int(args[0], &mask))
        return NULL;
    return int_from_i64(umask((mode_t)mask));
}

// The blocking part of os.urandom: fills buf[0..n) with random bytes. False with errno set.
static bool fill_random(char *buf, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t r = getrandom(buf + done, n - done, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno != ENOSYS)
                return false;
            // No getrandom(): read the device instead.
            int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                return false;
            while (done < n) {
                ssize_t k = read(fd, buf + done, n - done);
                if (k <= 0 && !(k < 0 && errno == EINTR)) {
                    int err = k < 0 ? errno : EIO;
                    close(fd);
                    errno = err;
                    return false;
                }
                if (k > 0)
                    done += (size_t)k;
            }
            close(fd);
            return true;
        }
        done += (size_t)r;
    }
    return true;
}

static MiniObject *os_urandom(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    if (!one_arg("urandom", nargs, kwnames))
        return NULL;
    MiniObject *idx = mini_index(args[0]);
    if (!idx)
        return NULL;
    ssize_t n = mini_as_ssize(idx);
    MINI_DECREF(idx);
    if (n == -1 && mini_error_occurred())
        return NULL;
    if (n < 0)
        return mini_raise_str(mini_exc_ValueError, "negative argument not allowed");
    char *buf = mini_malloc((size_t)n + 1);
    if (!buf)
        return NULL;
    MiniObject *r = fill_random(buf, (size_t)n) ? bytes_new(buf, (size_t)n)
                                                : mini_raise_errno(errno, NULL);
    mini_free(buf);
    return r;
}

// The blocking part of os.system, with the GIL released (system() itself ignores SIGINT and
// SIGQUIT while the command runs, as the shell's user expects).
static int run_shell(const char *cmd) {
    int r;
    MINI_BEGIN_ALLOW_THREADS
    r = system(cmd);
    MINI_END_ALLOW_THREADS
    return r;
}

static MiniObject *os_system(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"command", NULL};
    MiniObject *a[1] = {NULL};
    if (!mini_parse_args("system", args, nargs, kwnames, names, 1, a))
        return NULL;
    Path p;
    if (!path_get(a[0], &p, NULL))
        return NULL;
    if (memchr(p.s, '\0', p.n)) {
        path_release(&p);
        return mini_raise_str(mini_exc_ValueError, "embedded null byte");
    }
    // The child writes to the same descriptors: what we printed must come out first.
    file_flush_std();
    int status = run_shell(p.s);
    path_release(&p);
    return int_from_i64(status);
}

static MiniObject *os_exit(MiniObject *self, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"status", NULL};
    MiniObject *a[1] = {NULL};
    int status;
    if (!mini_parse_args("_exit", args, nargs, kwnames, names, 1, a) ||
        !mini_arg_int(a[0], &status))
        return NULL;
    _exit(status);
}

// ---------------------------------------------------------------------------------------------
// os: child processes (fork, wait, kill) and their exit statuses
// ---------------------------------------------------------------------------------------------

// Calls every callable of [list] (a list or NULL) with no arguments, in reverse order when
// [reverse] (the "before" hooks run last-registered first, as in CPython). A hook that raises
// is reported as unraisable and the others still run: fork() itself cannot fail because of it.
static void run_fork_hooks(MiniObject *list, bool reverse) {
    if (!list)
        return;
    // A copy, in case a hook registers another hook.
    MiniObject *copy = mini_sequence_tuple(list);
    if (!copy) {
        exception_write_unraisable(list);
        return;
    }
    size_t n = TUPLE_SIZE(copy);
    for (size_t k = 0; k < n; k++) {
        MiniObject *func = TUPLE_GET(copy, reverse ? n - 1 - k : k);
        MiniObject *r = mini_call(func, NULL, 0, NULL);
        if (r)
            MINI_DECREF(r);
        else
            exception_write_unraisable(func);
    }
    MINI_DECREF(copy);
}

// What the child of os.fork() does before it returns 0, in CPython's order
// (PyOS_AfterFork_Child): the runtime first - the GIL re-created and held by this thread, the
// other threads' states forgotten, the interpreter's own locks renewed (vm_after_fork_child) -
// then the signals, then threading's bookkeeping, then the program's after_in_child hooks.
static void after_fork_child(ThreadState *ts, bool was_main) {
    VM *vm = ts->vm;
    vm_after_fork_child(ts);
    // Signals the parent had not handled yet are the parent's (CPython's _PySignal_AfterFork).
    __atomic_store_n(&vm->signals_tripped, 0, __ATOMIC_SEQ_CST);
    __atomic_fetch_and(&ts->eval_breaker, ~BREAK_SIGNALS, __ATOMIC_SEQ_CST);
    // A thread started by _thread blocks the asynchronous signals so that they reach the main
    // thread. The thread that forked is the child's main thread now: it must receive them.
    if (!was_main) {
        sigset_t none;
        sigemptyset(&none);
        pthread_sigmask(SIG_SETMASK, &none, NULL);
    }
    // threading drops the Thread objects of the threads that did not survive and makes this
    // thread its main thread. mini's threading does not register this with register_at_fork
    // (CPython's does, when it is imported), so it runs here, before the program's own hooks.
    MiniObject *threading = dict_get_cstr(vm->modules, "threading");
    if (threading) {
        MINI_INCREF(threading);
        MiniObject *r = mini_call_method(threading, "_after_fork", 0);
        if (r) {
            MINI_DECREF(r);
        } else {
            // Reported as CPython reports a failing fork hook: "Exception ignored in:" the
            // function, then the traceback.
            MiniObject *exc = mini_error_fetch();
            MiniObject *what = mini_getattr_opt(threading, mini_intern("_after_fork"));
            if (!what)
                mini_error_clear();
            mini_error_restore(exc);
            exception_write_unraisable(what ? what : threading);
            MINI_XDECREF(what);
        }
        MINI_DECREF(threading);
    } else if (mini_error_occurred()) {
        mini_error_clear();
    }
    run_fork_hooks(vm->fork_after_in_child, false);
}

// fork(): 0 in the child, the child's pid in the parent.
static MiniObject *os_fork(MiniObject *self, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("posix.fork", nargs, kwnames))
        return NULL;
    ThreadState *ts = mini_ts;
    VM *vm = ts->vm;
    run_fork_hooks(vm->fork_before, true);
    // Output still in a buffer would be written once by each process: it goes out now.
    // (CPython leaves this to the program; mini does it so that nothing prints twice.)
    file_flush_std();
    bool was_main = ts == vm->main_thread;
    // The GIL stays held across fork(): no other thread runs mini code at this instant, so
    // the child's copy of every object is consistent. Only this thread exists in the child.
    pid_t pid = fork();
    int err = errno;
    // The parent's hooks run also when fork() failed, as in CPython.
    if (pid == 0)
        after_fork_child(ts, was_main);
    else
        run_fork_hooks(vm->fork_after_in_parent, false);
    if (pid < 0)
        return mini_raise_errno(err, NULL);
    return int_from_i64(pid);
}

// Appends [func] to the hook list *[list], making it on first use. False on error.
static bool add_fork_hook(MiniObject **list, MiniObject *func) {
    if (!func)
        return true;
    if (!*list && !(*list = list_new(0)))
        return false;
    return list_append(*list, func) == 0;
}

// register_at_fork(*, before=None, after_in_child=None, after_in_parent=None)
static MiniObject *os_register_at_fork(MiniObject *self, MiniObject *const *args, size_t nargs,
                                       MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"$before", "$after_in_child", "$after_in_parent", NULL};
    MiniObject *a[3] = {NULL, NULL, NULL};
    if (!mini_parse_args("register_at_fork", args, nargs, kwnames, names, 0, a))
        return NULL;
    if (!a[0] && !a[1] && !a[2])
        return mini_raise_str(mini_exc_TypeError, "At least one argument is required.");
    static const char *const what[] = {"before", "after_in_child", "after_in_parent"};
    for (int i = 0; i < 3; i++)
        if (a[i] && !mini_callable(a[i]))
            return mini_raise(mini_exc_TypeError, "'%s' must be callable, not %s", what[i],
                              mini_type_name(a[i]));
    VM *vm = mini_ts->vm;
    if (!add_fork_hook(&vm->fork_before, a[0]) ||
        !add_fork_hook(&vm->fork_after_in_child, a[1]) ||
        !add_fork_hook(&vm->fork_after_in_parent, a[2]))
        return NULL;
    return MINI_NONE;
}

// (pid, status) as waitpid() and wait() return it. New tuple.
static MiniObject *wait_result(pid_t pid, int status) {
    MiniObject *p = int_from_i64(pid);
    MiniObject *st = int_from_i64(status);
    MiniObject *r = p && st ? tuple_pack(2, p, st) : NULL;
    MINI_XDECREF(p);
    MINI_XDECREF(st);
    return r;
}

// waitpid(pid, options, /) -> (pid, status)
static MiniObject *os_waitpid(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("posix.waitpid", kwnames))
        return NULL;
    if (nargs != 2)
        return mini_raise(mini_exc_TypeError, "waitpid() takes exactly 2 arguments (%zu given)",
                          nargs);
    int pid, options;
    if (!mini_arg_int_signed(args[0], &pid) || !mini_arg_int(args[1], &options))
        return NULL;
    int status = 0;
    pid_t r;
    for (;;) {
        MINI_BEGIN_ALLOW_THREADS
        r = waitpid((pid_t)pid, &status, options);
        MINI_END_ALLOW_THREADS
        if (r >= 0 || errno != EINTR)
            break;
        if (!retry_after_eintr())
            return NULL;
    }
    return r < 0 ? mini_raise_errno(errno, NULL) : wait_result(r, status);
}

// wait() -> (pid, status)
static MiniObject *os_wait(MiniObject *self, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("posix.wait", nargs, kwnames))
        return NULL;
    int status = 0;
    pid_t r;
    for (;;) {
        MINI_BEGIN_ALLOW_THREADS
        r = wait(&status);
        MINI_END_ALLOW_THREADS
        if (r >= 0 || errno != EINTR)
            break;
        if (!retry_after_eintr())
            return NULL;
    }
    return r < 0 ? mini_raise_errno(errno, NULL) : wait_result(r, status);
}

// kill(pid, signal, /). A signal sent to this very process is handled before kill() returns:
// its handler runs here (CPython does the same check).
static MiniObject *os_kill(MiniObject *self, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("posix.kill", kwnames))
        return NULL;
    if (nargs != 2)
        return mini_raise(mini_exc_TypeError, "kill() takes exactly 2 arguments (%zu given)",
                          nargs);
    int pid;
    ssize_t sig;
    if (!mini_arg_int_signed(args[0], &pid) || !mini_arg_ssize(args[1], &sig))
        return NULL;
    // CPython takes the signal as a Py_ssize_t and passes it on as an int.
    if (kill((pid_t)pid, (int)sig) != 0)
        return mini_raise_errno(errno, NULL);
    if (!mini_signals_run_pending(mini_ts))
        return NULL;
    return MINI_NONE;
}

// The one argument of the functions CPython parses with "i:name" and keywords (getpgid, the
// wait-status helpers): given by position or as [argname]=, with that parser's messages.
// Borrowed reference, or NULL with TypeError pending.
static MiniObject *one_kw_arg(const char *fname, const char *argname, MiniObject *const *args,
                              size_t nargs, MiniObject *kwnames) {
    size_t nkw = kwnames ? TUPLE_SIZE(kwnames) : 0;
    if (nargs + nkw > 1)
        return mini_raise(mini_exc_TypeError, "%s() takes at most 1 argument (%zu given)", fname,
                          nargs + nkw);
    if (nargs == 1)
        return args[0];
    if (nkw == 1 && strcmp(STR_DATA(TUPLE_GET(kwnames, 0)), argname) == 0)
        return args[0];
    // An unknown keyword is reported as the missing argument, as that parser does.
    return mini_raise(mini_exc_TypeError, "%s() missing required argument '%s' (pos 1)", fname,
                      argname);
}

// The wait-status helpers: WIFEXITED(status) and friends.
typedef enum {
    WS_IFEXITED,
    WS_EXITSTATUS,
    WS_IFSIGNALED,
    WS_TERMSIG,
    WS_IFSTOPPED,
    WS_STOPSIG,
    WS_IFCONTINUED,
    WS_COREDUMP
} WaitStatusQuery;

static MiniObject *wait_status(const char *fname, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames, WaitStatusQuery q) {
    MiniObject *o = one_kw_arg(fname, "status", args, nargs, kwnames);
    int st;
    if (!o || !mini_arg_int(o, &st))
        return NULL;
    switch (q) {
    case WS_IFEXITED: return MINI_BOOL(WIFEXITED(st));
    case WS_EXITSTATUS: return int_from_i64(WEXITSTATUS(st));
    case WS_IFSIGNALED: return MINI_BOOL(WIFSIGNALED(st));
    case WS_TERMSIG: return int_from_i64(WTERMSIG(st));
    case WS_IFSTOPPED: return MINI_BOOL(WIFSTOPPED(st));
    case WS_STOPSIG: return int_from_i64(WSTOPSIG(st));
    case WS_IFCONTINUED: return MINI_BOOL(WIFCONTINUED(st));
    default: return MINI_BOOL(WCOREDUMP(st));
    }
}

#define WAIT_STATUS_FUNC(name, query)                                                            \
    static MiniObject *os_##name(MiniObject *self, MiniObject *const *args, size_t nargs,         \
                                 MiniObject *kwnames) {                                          \
        (void)self;                                                                              \
        return wait_status(#name, args, nargs, kwnames, query);                                  \
    }
WAIT_STATUS_FUNC(WIFEXITED, WS_IFEXITED)
WAIT_STATUS_FUNC(WEXITSTATUS, WS_EXITSTATUS)
WAIT_STATUS_FUNC(WIFSIGNALED, WS_IFSIGNALED)
WAIT_STATUS_FUNC(WTERMSIG, WS_TERMSIG)
WAIT_STATUS_FUNC(WIFSTOPPED, WS_IFSTOPPED)
WAIT_STATUS_FUNC(WSTOPSIG, WS_STOPSIG)
WAIT_STATUS_FUNC(WIFCONTINUED, WS_IFCONTINUED)
WAIT_STATUS_FUNC(WCOREDUMP, WS_COREDUMP)
#undef WAIT_STATUS_FUNC

// waitstatus_to_exitcode(status): the exit code, or minus the signal that killed the process.
static MiniObject *os_waitstatus_to_exitcode(MiniObject *self, MiniObject *const *args,
                                             size_t nargs, MiniObject *kwnames) {
    (void)self;
    MiniObject *o = one_kw_arg("waitstatus_to_exitcode", "status", args, nargs, kwnames);
    int st;
    if (!o || !mini_arg_int(o, &st))
        return NULL;
    if (WIFEXITED(st))
        return int_from_i64(WEXITSTATUS(st));
    if (WIFSIGNALED(st))
        return int_from_i64(-WTERMSIG(st));
    if (WIFSTOPPED(st))
        return mini_raise(mini_exc_ValueError, "process stopped by delivery of signal %d",
                          WSTOPSIG(st));
    return mini_raise(mini_exc_ValueError, "invalid wait status: %d", st);
}

// getpgid(pid): the process group of [pid].
static MiniObject *os_getpgid(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    MiniObject *o = one_kw_arg("getpgid", "pid", args, nargs, kwnames);
    int pid;
    if (!o || !mini_arg_int_signed(o, &pid))
        return NULL;
    pid_t r = getpgid((pid_t)pid);
    return r < 0 ? mini_raise_errno(errno, NULL) : int_from_i64(r);
}

static MiniObject *os_getpgrp(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("posix.getpgrp", nargs, kwnames))
        return NULL;
    return int_from_i64(getpgrp());
}

// setsid(): makes this process the leader of a new session.
static MiniObject *os_setsid(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("posix.setsid", nargs, kwnames))
        return NULL;
    return setsid() < 0 ? mini_raise_errno(errno, NULL) : MINI_NONE;
}

// ---------------------------------------------------------------------------------------------
// os: the environment
// ---------------------------------------------------------------------------------------------

// Checks that [key] may name an environment variable. False with an exception.
static bool env_key_ok(const Path *key) {
    if (memchr(key->s, '\0', key->n)) {
        mini_raise_str(mini_exc_ValueError, "embedded null byte");
        return false;
    }
    if (memchr(key->s, '=', key->n)) {
        mini_raise_str(mini_exc_ValueError, "illegal environment variable name");
        return false;
    }
    return true;
}

// setenv(key, value), checked as os.putenv checks. False with an exception.
static bool env_put(MiniObject *key, MiniObject *value) {
    Path k, v;
    if (!path_get(key, &k, NULL))
        return false;
    if (!path_get(value, &v, NULL)) {
        path_release(&k);
        return false;
    }
    bool ok = env_key_ok(&k);
    if (ok && memchr(v.s, '\0', v.n)) {
        mini_raise_str(mini_exc_ValueError, "embedded null byte");
        ok = false;
    }
    if (ok && setenv(k.s, v.s, 1) != 0) {
        mini_raise_errno(errno, NULL);
        ok = false;
    }
    path_release(&k);
    path_release(&v);
    return ok;
}

// unsetenv(key), checked as os.unsetenv checks. False with an exception.
static bool env_unset(MiniObject *key) {
    Path k;
    if (!path_get(key, &k, NULL))
        return false;
    // A name with '=' is left to unsetenv, which answers EINVAL as CPython reports it.
    bool ok = true;
    if (memchr(k.s, '\0', k.n)) {
        mini_raise_str(mini_exc_ValueError, "embedded null byte");
        ok = false;
    }
    if (ok && unsetenv(k.s) != 0) {
        mini_raise_errno(errno, NULL);
        ok = false;
    }
    path_release(&k);
    return ok;
}

static MiniObject *os_putenv(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("putenv", kwnames) || !mini_check_nargs("putenv", nargs, 2, 2) ||
        !env_put(args[0], args[1]))
        return NULL;
    return MINI_NONE;
}

static MiniObject *os_unsetenv(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("unsetenv", kwnames) || !mini_check_nargs("unsetenv", nargs, 1, 1) ||
        !env_unset(args[0]))
        return NULL;
    return MINI_NONE;
}

// os.environ's keys and values must be str.
static bool env_str(MiniObject *o) {
    if (str_check(o))
        return true;
    mini_raise(mini_exc_TypeError, "str expected, not %s", mini_type_name(o));
    return false;
}

// environ[key] = value also sets the process environment; del environ[key] unsets it.
static int environ_setitem(MiniObject *self, MiniObject *key, MiniObject *value) {
    if (!env_str(key))
        return -1;
    if (value) {
        if (!env_str(value) || !env_put(key, value))
            return -1;
        return mini_dict_type.setitem(self, key, value);
    }
    if (!env_unset(key))
        return -1;
    return mini_dict_type.setitem(self, key, NULL);
}

// "environ({'HOME': '/root', ...})". New str.
static MiniObject *environ_repr(MiniObject *self) {
    MiniObject *inner = mini_dict_type.repr(self);
    if (!inner)
        return NULL;
    MiniObject *r = str_from_format("environ(%S)", inner);
    MINI_DECREF(inner);
    return r;
}

static MiniType environ_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "os._Environ",
    .flags = MINI_TPFLAG_GC | MINI_TPFLAG_DICT_SUBCLASS,
    .base = &mini_dict_type,
    .repr = environ_repr,
    .setitem = environ_setitem,
    .doc = "The process environment as a dict of str.",
};

// os.environ, filled from the process environment. New reference.
static MiniObject *environ_new(void) {
    MiniObject *d = mini_type_alloc(&environ_type, 0);
    if (!d)
        return NULL;
    for (char **e = environ; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        // A name must not be empty; a leading '=' is part of the name (as CPython reads it).
        if (eq == *e)
            eq = strchr(*e + 1, '=');
        if (!eq)
            continue;
        MiniObject *k = str_decode_utf8(*e, (size_t)(eq - *e));
        MiniObject *v = k ? str_decode_utf8(eq + 1, strlen(eq + 1)) : NULL;
        // CPython keeps the first of duplicated names.
        int r = -1;
        if (v) {
            MiniObject *old = dict_get(d, k);
            r = old ? 0 : mini_error_occurred() ? -1 : mini_dict_type.setitem(d, k, v);
        }
        MINI_XDECREF(k);
        MINI_XDECREF(v);
        if (r < 0) {
            // Undecodable entries are skipped rather than failing the import.
            if (!mini_error_matches(mini_exc_UnicodeDecodeError)) {
                MINI_DECREF(d);
                return NULL;
            }
            mini_error_clear();
        }
    }
    return d;
}

// getenv(key, default=None): os.environ.get(key, default).
static MiniObject *os_getenv(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"key", "default", NULL};
    MiniObject *a[2] = {NULL, MINI_NONE};
    if (!mini_parse_args("getenv", args, nargs, kwnames, names, 1, a) || !env_str(a[0]))
        return NULL;
    MiniObject *os = dict_get_cstr(mini_ts->vm->modules, "os");
    MiniObject *env = os && mini_type(os) == &mini_module_type
                          ? dict_get_cstr(((MiniModule *)os)->dict, "environ")
                          : NULL;
    if (env && dict_check(env)) {
        MiniObject *v = dict_get(env, a[0]);
        if (v || mini_error_occurred())
            return v ? mini_newref(v) : NULL;
        return mini_newref(a[1]);
    }
    if (mini_error_occurred())
        return NULL;
    const char *v = getenv(STR_DATA(a[0]));
    return v ? str_decode_utf8(v, strlen(v)) : mini_newref(a[1]);
}

// ---------------------------------------------------------------------------------------------
// os: files and directories
// ---------------------------------------------------------------------------------------------

static MiniObject *os_chdir(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"path", NULL};
    MiniObject *a[1] = {NULL};
    Path p;
    if (!mini_parse_args("chdir", args, nargs, kwnames, names, 1, a) ||
        !path_get(a[0], &p, "chdir"))
        return NULL;
    int r = chdir(p.s);
    int err = errno;
    path_release(&p);
    return r == 0 ? MINI_NONE : mini_raise_errno(err, a[0]);
}

// One path argument [path] and an optional int [mode] (default [mode_default]).
static bool path_and_mode(const char *fname, MiniObject *const *args, size_t nargs,
                          MiniObject *kwnames, const char *const *names, Path *p,
                          MiniObject **orig, int *mode) {
    MiniObject *a[2] = {NULL, NULL};
    if (!mini_parse_args(fname, args, nargs, kwnames, names, 1, a))
        return false;
    if (a[1] && !mini_arg_int(a[1], mode))
        return false;
    *orig = a[0];
    return path_get(a[0], p, fname);
}

static MiniObject *os_mkdir(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"path", "mode", NULL};
    Path p;
    MiniObject *orig;
    int mode = 0777;
    if (!path_and_mode("mkdir", args, nargs, kwnames, names, &p, &orig, &mode))
        return NULL;
    int r = mkdir(p.s, (mode_t)mode);
    int err = errno;
    path_release(&p);
    return r == 0 ? MINI_NONE : mini_raise_errno(err, orig);
}

// Is s[0..n) an existing directory?
static bool is_dir(const char *s) {
    struct stat st;
    return stat(s, &st) == 0 && S_ISDIR(st.st_mode);
}

// CPython's os.makedirs on the NUL-terminated s[0..n): makes the missing parents first.
// [orig] is what errors about the whole path name (NULL: make it from the text).
static bool makedirs_rec(const char *s, size_t n, bool bytes, int mode, bool exist_ok,
                         MiniObject *orig) {
    size_t i = last_sep_end(s, n);
    size_t hn = strip_head(s, i);
    const char *tail = s + i;
    size_t tn = n - i;
    if (tn == 0) {
        // "a/b/": split the head again.
        i = last_sep_end(s, hn);
        tail = s + i;
        tn = hn - i;
        hn = strip_head(s, i);
    }
    if (hn > 0 && tn > 0) {
        char *head = mini_malloc(hn + 1);
        if (!head)
            return false;
        memcpy(head, s, hn);
        head[hn] = '\0';
        struct stat st;
        if (stat(head, &st) != 0) {
            bool ok = makedirs_rec(head, hn, bytes, mode, exist_ok, NULL);
            if (!ok) {
                if (!mini_error_matches(mini_exc_FileExistsError)) {
                    mini_free(head);
                    return false;
                }
                mini_error_clear();
            }
            if (tn == 1 && tail[0] == '.') {
                mini_free(head);
                return true;
            }
        }
        mini_free(head);
    }
    if (mkdir(s, (mode_t)mode) == 0)
        return true;
    int err = errno;
    if (exist_ok && is_dir(s))
        return true;
    MiniObject *name = orig ? mini_newref(orig) : make_path(bytes, s, n);
    if (name) {
        mini_raise_errno(err, name);
        MINI_DECREF(name);
    }
    return false;
}

// makedirs(name, mode=0o777, exist_ok=False)
static MiniObject *os_makedirs(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"name", "mode", "exist_ok", NULL};
    MiniObject *a[3] = {NULL, NULL, MINI_FALSE};
    int mode = 0777;
    if (!mini_parse_args("makedirs", args, nargs, kwnames, names, 1, a))
        return NULL;
    if (a[1] && !mini_arg_int(a[1], &mode))
        return NULL;
    int exist_ok = mini_truthy(a[2]);
    if (exist_ok < 0)
        return NULL;
    Path p;
    if (!path_get(a[0], &p, "mkdir"))
        return NULL;
    bool ok = makedirs_rec(p.s, p.n, p.bytes, mode, exist_ok, a[0]);
    path_release(&p);
    return ok ? MINI_NONE : NULL;
}

// remove/unlink/rmdir: one path and a system call on it.
static MiniObject *path_call(const char *fname, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames, int (*call)(const char *)) {
    static const char *const names[] = {"path", NULL};
    MiniObject *a[1] = {NULL};
    Path p;
    if (!mini_parse_args(fname, args, nargs, kwnames, names, 1, a) || !path_get(a[0], &p, fname))
        return NULL;
    int r = call(p.s);
    int err = errno;
    path_release(&p);
    return r == 0 ? MINI_NONE : mini_raise_errno(err, a[0]);
}

static MiniObject *os_remove(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self;
    return path_call("remove", args, nargs, kwnames, unlink);
}
static MiniObject *os_unlink(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self;
    return path_call("unlink", args, nargs, kwnames, unlink);
}
static MiniObject *os_rmdir(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    (void)self;
    return path_call("rmdir", args, nargs, kwnames, rmdir);
}

// removedirs(name): rmdir name, then each parent until one fails.
static MiniObject *os_removedirs(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"name", NULL};
    MiniObject *a[1] = {NULL};
    Path p;
    if (!mini_parse_args("removedirs", args, nargs, kwnames, names, 1, a) ||
        !path_get(a[0], &p, "rmdir"))
        return NULL;
    if (rmdir(p.s) != 0) {
        int err = errno;
        path_release(&p);
        return mini_raise_errno(err, a[0]);
    }
    char *s = mini_malloc(p.n + 1);
    if (!s) {
        path_release(&p);
        return NULL;
    }
    memcpy(s, p.s, p.n + 1);
    size_t n = p.n;
    path_release(&p);
    for (int first = 1;; first = 0) {
        size_t i = last_sep_end(s, n);
        size_t hn = strip_head(s, i);
        if (first && i == n) { // a trailing slash: split the head again
            i = last_sep_end(s, hn);
            if (hn - i == 0)
                break;
            hn = strip_head(s, i);
        } else if (i == n) {
            break;
        }
        if (hn == 0)
            break;
        s[hn] = '\0';
        n = hn;
        if (rmdir(s) != 0)
            break;
    }
    mini_free(s);
    return MINI_NONE;
}

// rename/replace(src, dst): errors name both paths ("... : 'a' -> 'b'").
static MiniObject *rename_impl(const char *fname, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    static const char *const names[] = {"src", "dst", NULL};
    MiniObject *a[2] = {NULL, NULL};
    if (!mini_parse_args(fname, args, nargs, kwnames, names, 2, a))
        return NULL;
    Path src, dst;
    if (!path_get(a[0], &src, fname))
        return NULL;
    if (!path_get(a[1], &dst, fname)) {
        path_release(&src);
        return NULL;
    }
    int r = rename(src.s, dst.s);
    int err = errno;
    path_release(&src);
    path_release(&dst);
    if (r == 0)
        return MINI_NONE;
    MiniObject *code = int_from_i64(err);
    MiniObject *msg = str_from_cstr(strerror(err));
    MiniObject *eargs = code && msg ? tuple_pack(5, code, msg, a[0], MINI_NONE, a[1]) : NULL;
    MINI_XDECREF(code);
    MINI_XDECREF(msg);
    if (!eargs)
        return NULL;
    // OSError's constructor picks the subclass (FileNotFoundError for ENOENT ...).
    MiniObject *exc = exception_new(mini_exc_OSError, eargs);
    MINI_DECREF(eargs);
    if (exc)
        mini_error_restore(exc);
    return NULL;
}

static MiniObject *os_rename(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self;
    return rename_impl("rename", args, nargs, kwnames);
}
static MiniObject *os_replace(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    return rename_impl("replace", args, nargs, kwnames);
}

// listdir(path=None): the names in [path] in directory order, without '.' and '..'.
static MiniObject *os_listdir(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"path", NULL};
    MiniObject *a[1] = {MINI_NONE};
    if (!mini_parse_args("listdir", args, nargs, kwnames, names, 0, a))
        return NULL;
    DIR *dir;
    bool bytes = false;
    if (a[0] == MINI_NONE) {
        dir = opendir(".");
    } else if (int_check(a[0])) {
        int fd;
        if (!mini_arg_int(a[0], &fd))
            return NULL;
        // fdopendir takes the descriptor over: give it a copy and start from the top.
        int copy = dup(fd);
        dir = copy < 0 ? NULL : fdopendir(copy);
        if (copy >= 0 && !dir) {
            int err = errno;
            close(copy);
            errno = err;
        }
        if (dir)
            rewinddir(dir);
    } else {
        Path p;
        p.obj = fspath_or_null(a[0]);
        if (!p.obj) {
            if (!mini_error_occurred())
                mini_raise(mini_exc_TypeError, "listdir: path should be string, bytes, "
                                               "os.PathLike, integer or None, not %s",
                           mini_type_name(a[0]));
            return NULL;
        }
        MiniObject *obj = p.obj;
        if (!path_get(obj, &p, "listdir")) {
            MINI_DECREF(obj);
            return NULL;
        }
        MINI_DECREF(obj);
        bytes = p.bytes;
        dir = opendir(p.s);
        int err = errno;
        path_release(&p);
        errno = err;
    }
    if (!dir)
        return mini_raise_errno(errno, a[0] == MINI_NONE ? mini_intern(".") : a[0]);
    MiniObject *list = list_new(0);
    if (!list) {
        closedir(dir);
        return NULL;
    }
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(dir);
        if (!e) {
            if (errno) {
                int err = errno;
                closedir(dir);
                MINI_DECREF(list);
                return mini_raise_errno(err, a[0] == MINI_NONE ? mini_intern(".") : a[0]);
            }
            break;
        }
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        MiniObject *name = make_path(bytes, e->d_name, strlen(e->d_name));
        if (!name || list_append(list, name) < 0) {
            MINI_XDECREF(name);
            closedir(dir);
            MINI_DECREF(list);
            return NULL;
        }
        MINI_DECREF(name);
    }
    closedir(dir);
    return list;
}

// stat(path, *, dir_fd=None, follow_symlinks=True) and lstat(path, *, dir_fd=None).
static MiniObject *stat_impl(const char *fname, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames, bool follow) {
    static const char *const names[] = {"path", "$dir_fd", "$follow_symlinks", NULL};
    MiniObject *a[3] = {NULL, MINI_NONE, MINI_TRUE};
    if (!mini_parse_args(fname, args, nargs, kwnames, names, 1, a))
        return NULL;
    if (follow) {
        int f = mini_truthy(a[2]);
        if (f < 0)
            return NULL;
        follow = f;
    }
    struct stat st;
    bool value_error;
    int r = do_stat(a[0], &st, follow, fname, &value_error);
    if (r < 0)
        return NULL;
    if (r == 0)
        return mini_raise_errno(errno, int_check(a[0]) ? NULL : a[0]);
    return stat_result_new(&st);
}

static MiniObject *os_stat(MiniObject *self, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    (void)self;
    return stat_impl("stat", args, nargs, kwnames, true);
}
static MiniObject *os_lstat(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    (void)self;
    return stat_impl("lstat", args, nargs, kwnames, false);
}

// access(path, mode): True when the real user may; any failure is False.
static MiniObject *os_access(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"path", "mode", NULL};
    MiniObject *a[2] = {NULL, NULL};
    int mode;
    Path p;
    if (!mini_parse_args("access", args, nargs, kwnames, names, 2, a) ||
        !mini_arg_int(a[1], &mode) || !path_get(a[0], &p, "access"))
        return NULL;
    bool ok = access(p.s, mode) == 0;
    path_release(&p);
    return MINI_BOOL(ok);
}

static MiniObject *os_readlink(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"path", NULL};
    MiniObject *a[1] = {NULL};
    Path p;
    if (!mini_parse_args("readlink", args, nargs, kwnames, names, 1, a) ||
        !path_get(a[0], &p, "readlink"))
        return NULL;
    StrBuf b;
    strbuf_init(&b);
    MiniObject *r = readlink_into(&b, p.s, a[0]) ? buf_finish(&b, p.bytes) : NULL;
    if (!r)
        strbuf_free(&b);
    path_release(&p);
    return r;
}

static MiniObject *os_symlink(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"src", "dst", NULL};
    MiniObject *a[2] = {NULL, NULL};
    if (!mini_parse_args("symlink", args, nargs, kwnames, names, 2, a))
        return NULL;
    Path src, dst;
    if (!path_get(a[0], &src, "symlink"))
        return NULL;
    if (!path_get(a[1], &dst, "symlink")) {
        path_release(&src);
        return NULL;
    }
    int r = symlink(src.s, dst.s);
    int err = errno;
    path_release(&src);
    path_release(&dst);
    if (r == 0)
        return MINI_NONE;
    MiniObject *code = int_from_i64(err);
    MiniObject *msg = str_from_cstr(strerror(err));
    MiniObject *eargs = code && msg ? tuple_pack(5, code, msg, a[0], MINI_NONE, a[1]) : NULL;
    MINI_XDECREF(code);
    MINI_XDECREF(msg);
    MiniObject *exc = eargs ? exception_new(mini_exc_OSError, eargs) : NULL;
    MINI_XDECREF(eargs);
    if (exc)
        mini_error_restore(exc);
    return NULL;
}

static MiniObject *os_fspath(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"path", NULL};
    MiniObject *a[1] = {NULL};
    if (!mini_parse_args("fspath", args, nargs, kwnames, names, 1, a))
        return NULL;
    MiniObject *r = fspath_or_null(a[0]);
    if (!r && !mini_error_occurred())
        mini_raise(mini_exc_TypeError, "expected str, bytes or os.PathLike object, not %s",
                   mini_type_name(a[0]));
    return r;
}

// ---------------------------------------------------------------------------------------------
// os: file descriptors
// ---------------------------------------------------------------------------------------------

// The blocking system calls, one helper each, each releasing the GIL while it blocks so that
// other threads run meanwhile. Nothing between the two macros touches a mini object; errno
// survives them.
static ssize_t fd_read(int fd, char *buf, size_t n) {
    ssize_t r;
    MINI_BEGIN_ALLOW_THREADS
    r = read(fd, buf, n);
    MINI_END_ALLOW_THREADS
    return r;
}
static ssize_t fd_write(int fd, const char *buf, size_t n) {
    ssize_t r;
    MINI_BEGIN_ALLOW_THREADS
    r = write(fd, buf, n);
    MINI_END_ALLOW_THREADS
    return r;
}
static int fd_close(int fd) {
    int r;
    MINI_BEGIN_ALLOW_THREADS
    r = close(fd);
    MINI_END_ALLOW_THREADS
    return r;
}
static int fd_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

static MiniObject *os_read(MiniObject *self, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    (void)self;
    int fd;
    ssize_t n;
    if (!mini_no_kwargs("posix.read", kwnames) || !mini_check_nargs("read", nargs, 2, 2) ||
        !mini_arg_int(args[0], &fd) || !mini_arg_ssize(args[1], &n))
        return NULL;
    if (n < 0)
        return mini_raise_errno(EINVAL, NULL);
    char *buf = mini_malloc((size_t)n + 1);
    if (!buf)
        return NULL;
    ssize_t got;
    for (;;) {
        got = fd_read(fd, buf, (size_t)n);
        if (got >= 0 || errno != EINTR)
            break;
        if (!retry_after_eintr()) {
            mini_free(buf);
            return NULL;
        }
    }
    MiniObject *r = got < 0 ? mini_raise_errno(errno, NULL) : bytes_new(buf, (size_t)got);
    mini_free(buf);
    return r;
}

static MiniObject *os_write(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    (void)self;
    int fd;
    if (!mini_no_kwargs("posix.write", kwnames) || !mini_check_nargs("write", nargs, 2, 2) ||
        !mini_arg_int(args[0], &fd))
        return NULL;
    // The data must stay put while the GIL is released. A bytes object is immutable and the
    // caller's reference keeps it alive; a bytearray could be resized by another thread
    // meanwhile (CPython forbids that while its buffer is exported), so it is copied first.
    MiniObject *data = bytes_stable(args[1]);
    if (!data)
        return NULL;
    ssize_t done;
    for (;;) {
        done = fd_write(fd, ((MiniBytes *)data)->data, ((MiniBytes *)data)->size);
        if (done >= 0 || errno != EINTR)
            break;
        if (!retry_after_eintr()) {
            MINI_DECREF(data);
            return NULL;
        }
    }
    int err = errno;
    MINI_DECREF(data);
    return done < 0 ? mini_raise_errno(err, NULL) : int_from_i64(done);
}

static MiniObject *os_close(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"fd", NULL};
    MiniObject *a[1] = {NULL};
    int fd;
    if (!mini_parse_args("close", args, nargs, kwnames, names, 1, a) || !mini_arg_int(a[0], &fd))
        return NULL;
    // A close interrupted by a signal must not be retried (the descriptor is gone on Linux),
    // so EINTR is not an error here, as in CPython.
    return fd_close(fd) == 0 || errno == EINTR ? MINI_NONE : mini_raise_errno(errno, NULL);
}

static MiniObject *os_pipe(MiniObject *self, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("posix.pipe", nargs, kwnames))
        return NULL;
    int fds[2];
    if (fd_pipe(fds) != 0)
        return mini_raise_errno(errno, NULL);
    return tuple_pack(2, MINI_FROM_SMALLINT(fds[0]), MINI_FROM_SMALLINT(fds[1]));
}

// The flag pairs below, get_X(fd, /) and set_X(fd, flag, /), each read or change one bit of a
// descriptor's flags that is set when the answer is False: FD_CLOEXEC (fcntl F_GETFD/F_SETFD)
// for "inheritable", O_NONBLOCK (F_GETFL/F_SETFL) for "blocking".

// get_X: True when [bit] is clear in the flags that [get_cmd] reads.
static MiniObject *fd_flag_get(MiniObject *const *args, size_t nargs, MiniObject *kwnames,
                               const char *qualname, int get_cmd, int bit) {
    int fd;
    if (!one_arg(qualname, nargs, kwnames) || !mini_arg_int(args[0], &fd))
        return NULL;
    int flags = fcntl(fd, get_cmd);
    return flags < 0 ? mini_raise_errno(errno, NULL) : MINI_BOOL(!(flags & bit));
}

// set_X: clears [bit] when the second argument is true, sets it otherwise.
static MiniObject *fd_flag_set(MiniObject *const *args, size_t nargs, MiniObject *kwnames,
                               const char *name, const char *qualname, int get_cmd,
                               int set_cmd, int bit) {
    int fd, on;
    if (!mini_no_kwargs(qualname, kwnames) || !mini_check_nargs(name, nargs, 2, 2) ||
        !mini_arg_int(args[0], &fd) || !mini_arg_int(args[1], &on))
        return NULL;
    int flags = fcntl(fd, get_cmd);
    if (flags < 0)
        return mini_raise_errno(errno, NULL);
    int nflags = on ? flags & ~bit : flags | bit;
    if (nflags != flags && fcntl(fd, set_cmd, nflags) < 0)
        return mini_raise_errno(errno, NULL);
    return MINI_NONE;
}

// get_inheritable(fd, /): whether exec'd programs inherit [fd].
static MiniObject *os_get_inheritable(MiniObject *self, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    (void)self;
    return fd_flag_get(args, nargs, kwnames, "posix.get_inheritable", F_GETFD, FD_CLOEXEC);
}

// set_inheritable(fd, inheritable, /)
static MiniObject *os_set_inheritable(MiniObject *self, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    (void)self;
    return fd_flag_set(args, nargs, kwnames, "set_inheritable", "posix.set_inheritable",
                       F_GETFD, F_SETFD, FD_CLOEXEC);
}

// get_blocking(fd, /): False if [fd] is in non-blocking mode (O_NONBLOCK).
static MiniObject *os_get_blocking(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)self;
    return fd_flag_get(args, nargs, kwnames, "posix.get_blocking", F_GETFL, O_NONBLOCK);
}

// set_blocking(fd, blocking, /)
static MiniObject *os_set_blocking(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)self;
    return fd_flag_set(args, nargs, kwnames, "set_blocking", "posix.set_blocking", F_GETFL,
                       F_SETFL, O_NONBLOCK);
}

// dup(fd, /): a new descriptor for the same file, not inherited by exec'd programs.
static MiniObject *os_dup(MiniObject *self, MiniObject *const *args, size_t nargs,
                          MiniObject *kwnames) {
    (void)self;
    int fd;
    if (!one_arg("posix.dup", nargs, kwnames) || !mini_arg_int(args[0], &fd))
        return NULL;
    int r = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    return r < 0 ? mini_raise_errno(errno, NULL) : int_from_i64(r);
}

// dup2(fd, fd2, inheritable=True): makes fd2 a copy of fd and returns fd2.
static MiniObject *os_dup2(MiniObject *self, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"fd", "fd2", "inheritable", NULL};
    MiniObject *a[3] = {NULL, NULL, MINI_TRUE};
    size_t given = nargs + (kwnames ? TUPLE_SIZE(kwnames) : 0);
    if (given > 3)
        return mini_raise(mini_exc_TypeError, "dup2() takes at most 3 arguments (%zu given)",
                          given);
    int fd, fd2;
    if (!mini_parse_args("dup2", args, nargs, kwnames, names, 2, a) || !mini_arg_int(a[0], &fd) ||
        !mini_arg_int(a[1], &fd2))
        return NULL;
    int inheritable = mini_truthy(a[2]);
    if (inheritable < 0)
        return NULL;
    int r = inheritable ? dup2(fd, fd2) : dup3(fd, fd2, O_CLOEXEC);
    if (r < 0)
        return mini_raise_errno(errno, NULL);
    return int_from_i64(r);
}

static MiniObject *os_isatty(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self;
    int fd;
    if (!one_arg("isatty", nargs, kwnames) || !mini_arg_int(args[0], &fd))
        return NULL;
    return MINI_BOOL(isatty(fd));
}

// ---------------------------------------------------------------------------------------------
// The modules
// ---------------------------------------------------------------------------------------------

static const MiniMethodDef path_functions[] = {
    {"join", path_join, 0, "Join two or more pathname components."},
    {"split", path_split, 0, "Split a pathname into (head, tail)."},
    {"basename", path_basename, 0, "Returns the final component of a pathname."},
    {"dirname", path_dirname, 0, "Returns the directory component of a pathname."},
    {"splitext", path_splitext, 0, "Split the extension from a pathname."},
    {"isabs", path_isabs, 0, "Test whether a path is absolute."},
    {"normpath", path_normpath, 0, "Normalize path, eliminating double slashes, etc."},
    {"abspath", path_abspath, 0, "Return an absolute path."},
    {"realpath", path_realpath, 0, "Return the canonical path, eliminating symbolic links."},
    {"expanduser", path_expanduser, 0, "Expand ~ and ~user constructions."},
    {"relpath", path_relpath, 0, "Return a relative version of a path."},
    {"commonprefix", path_commonprefix, 0, "Given a list of pathnames, returns the longest "
                                           "common leading component."},
    {"exists", path_exists, 0, "Test whether a path exists."},
    {"lexists", path_lexists, 0, "Test whether a path exists; True for broken links."},
    {"isfile", path_isfile, 0, "Test whether a path is a regular file."},
    {"isdir", path_isdir, 0, "Return true if the pathname refers to an existing directory."},
    {"islink", path_islink, 0, "Test whether a path is a symbolic link."},
    {"getsize", path_getsize, 0, "Return the size of a file, reported by os.stat()."},
    {"getmtime", path_getmtime, 0, "Return the last modification time of a file."},
    {"getatime", path_getatime, 0, "Return the last access time of a file."},
    {"getctime", path_getctime, 0, "Return the metadata change time of a file."},
    {NULL, NULL, 0, NULL},
};

static const MiniMethodDef os_functions[] = {
    {"getpid", os_getpid, 0, "Return the current process id."},
    {"getppid", os_getppid, 0, "Return the parent's process id."},
    {"getuid", os_getuid, 0, "Return the current process's user id."},
    {"getgid", os_getgid, 0, "Return the current process's group id."},
    {"getlogin", os_getlogin, 0, "Return the actual login name."},
    {"getcwd", os_getcwd, 0, "Return a unicode string representing the current directory."},
    {"chdir", os_chdir, 0, "Change the current working directory to the specified path."},
    {"getenv", os_getenv, 0, "Get an environment variable, return None if it doesn't exist."},
    {"putenv", os_putenv, 0, "Change or add an environment variable."},
    {"unsetenv", os_unsetenv, 0, "Delete an environment variable."},
    {"listdir", os_listdir, 0, "Return a list containing the names of the files in the "
                               "directory."},
    {"mkdir", os_mkdir, 0, "Create a directory."},
    {"makedirs", os_makedirs, 0, "Super-mkdir; create a leaf directory and all intermediate "
                                 "ones."},
    {"remove", os_remove, 0, "Remove a file (same as unlink())."},
    {"unlink", os_unlink, 0, "Remove a file (same as remove())."},
    {"rmdir", os_rmdir, 0, "Remove a directory."},
    {"removedirs", os_removedirs, 0, "Super-rmdir; remove a leaf directory and all empty "
                                     "intermediate ones."},
    {"rename", os_rename, 0, "Rename a file or directory."},
    {"replace", os_replace, 0, "Rename a file or directory, overwriting the destination."},
    {"stat", os_stat, 0, "Perform a stat system call on the given path."},
    {"lstat", os_lstat, 0, "Perform a stat system call on the given path, without following "
                           "symbolic links."},
    {"access", os_access, 0, "Use the real uid/gid to test for access to a path."},
    {"readlink", os_readlink, 0, "Return a string representing the path to which the symbolic "
                                 "link points."},
    {"symlink", os_symlink, 0, "Create a symbolic link pointing to src named dst."},
    {"fspath", os_fspath, 0, "Return the file system path representation of the object."},
    {"cpu_count", os_cpu_count, 0, "Return the number of CPUs in the system."},
    {"urandom", os_urandom, 0, "Return a bytes object containing random bytes."},
    {"strerror", os_strerror, 0, "Translate an error code to a message string."},
    {"umask", os_umask, 0, "Set the current numeric umask and return the previous umask."},
    {"system", os_system, 0, "Execute the command in a subshell."},
    {"_exit", os_exit, 0, "Exit to the system with specified status, without normal exit "
                          "processing."},
    {"read", os_read, 0, "Read from a file descriptor."},
    {"write", os_write, 0, "Write a bytes object to a file descriptor."},
    {"close", os_close, 0, "Close a file descriptor."},
    {"pipe", os_pipe, 0, "Create a pipe."},
    {"isatty", os_isatty, 0, "Return True if the fd is connected to a terminal."},
    {"get_inheritable", os_get_inheritable, 0, "Get the close-on-exe flag of the specified "
                                               "file descriptor."},
    {"set_inheritable", os_set_inheritable, 0, "Set the inheritable flag of the specified file "
                                               "descriptor."},
    {"dup", os_dup, 0, "Return a duplicate of a file descriptor."},
    {"get_blocking", os_get_blocking, 0, "Get the blocking mode of the file descriptor."},
    {"set_blocking", os_set_blocking, 0, "Set the blocking mode of the file descriptor."},
    {"dup2", os_dup2, 0, "Duplicate file descriptor."},
    {"fork", os_fork, 0, "Fork a child process."},
    {"register_at_fork", os_register_at_fork, 0, "Register callables to be called when "
                                                 "forking a new process."},
    {"waitpid", os_waitpid, 0, "Wait for completion of a given child process."},
    {"wait", os_wait, 0, "Wait for completion of a child process."},
    {"kill", os_kill, 0, "Kill a process with a signal."},
    {"getpgid", os_getpgid, 0, "Call the system call getpgid(), and return the result."},
    {"getpgrp", os_getpgrp, 0, "Return the current process group id."},
    {"setsid", os_setsid, 0, "Call the system call setsid()."},
    {"WIFEXITED", os_WIFEXITED, 0, "Return True if the process returning status exited via "
                                   "the exit() system call."},
    {"WEXITSTATUS", os_WEXITSTATUS, 0, "Return the process return code from status."},
    {"WIFSIGNALED", os_WIFSIGNALED, 0, "Return True if the process returning status was "
                                       "terminated by a signal."},
    {"WTERMSIG", os_WTERMSIG, 0, "Return the signal that terminated the process that provided "
                                 "the status value."},
    {"WIFSTOPPED", os_WIFSTOPPED, 0, "Return True if the process returning status was "
                                     "stopped."},
    {"WSTOPSIG", os_WSTOPSIG, 0, "Return the signal that stopped the process that provided "
                                 "the status value."},
    {"WIFCONTINUED", os_WIFCONTINUED, 0, "Return True if a particular process was continued "
                                         "from a job control stop."},
    {"WCOREDUMP", os_WCOREDUMP, 0, "Return True if the process returning status was dumped to "
                                   "a core file."},
    {"waitstatus_to_exitcode", os_waitstatus_to_exitcode, 0, "Convert a wait status to an exit "
                                                             "code."},
    {NULL, NULL, 0, NULL},
};

// Stores [value] (a new reference, consumed; NULL means making it failed) as d[key].
static int put(MiniObject *d, const char *key, MiniObject *value) {
    if (!value)
        return -1;
    int r = dict_set_cstr(d, key, value);
    MINI_DECREF(value);
    return r;
}

// The constants os and os.path share.
static int put_common(MiniObject *d) {
    return put(d, "sep", str_from_cstr("/")) < 0 || put(d, "curdir", str_from_cstr(".")) < 0 ||
                   put(d, "pardir", str_from_cstr("..")) < 0 ||
                   put(d, "extsep", str_from_cstr(".")) < 0 ||
                   put(d, "altsep", MINI_NONE) < 0 ||
                   put(d, "pathsep", str_from_cstr(":")) < 0 ||
                   put(d, "defpath", str_from_cstr("/bin:/usr/bin")) < 0 ||
                   put(d, "devnull", str_from_cstr("/dev/null")) < 0
               ? -1
               : 0;
}

MiniObject *os_init(VM *vm) {
    // The private types must be ready before their first instance: mini_type_alloc reads
    // basicsize, which environ_type inherits from dict.
    if ((!(environ_type.flags & MINI_TPFLAG_READY) && !type_ready(&environ_type)) ||
        (!(stat_result_type.flags & MINI_TPFLAG_READY) && !type_ready(&stat_result_type)))
        return NULL;
    MiniObject *path = module_new_builtin("posixpath", path_functions);
    if (!path)
        return NULL;
    MiniObject *m = module_new_builtin("os", os_functions);
    if (!m) {
        MINI_DECREF(path);
        return NULL;
    }
    MiniObject *pd = ((MiniModule *)path)->dict;
    MiniObject *d = ((MiniModule *)m)->dict;
    if (put_common(pd) < 0 || put(pd, "supports_unicode_filenames", MINI_FALSE) < 0 ||
        put_common(d) < 0 || put(d, "name", str_from_cstr("posix")) < 0 ||
        put(d, "linesep", str_from_cstr("\n")) < 0 || put(d, "environ", environ_new()) < 0 ||
        put(d, "error", mini_newref((MiniObject *)mini_exc_OSError)) < 0 ||
        put(d, "F_OK", int_from_i64(F_OK)) < 0 || put(d, "R_OK", int_from_i64(R_OK)) < 0 ||
        put(d, "W_OK", int_from_i64(W_OK)) < 0 || put(d, "X_OK", int_from_i64(X_OK)) < 0 ||
        put(d, "SEEK_SET", int_from_i64(SEEK_SET)) < 0 ||
        put(d, "SEEK_CUR", int_from_i64(SEEK_CUR)) < 0 ||
        put(d, "SEEK_END", int_from_i64(SEEK_END)) < 0 ||
        put(d, "WNOHANG", int_from_i64(WNOHANG)) < 0 ||
        put(d, "WUNTRACED", int_from_i64(WUNTRACED)) < 0 ||
        put(d, "WCONTINUED", int_from_i64(WCONTINUED)) < 0 ||
        put(d, "stat_result", mini_newref((MiniObject *)&stat_result_type)) < 0 ||
        dict_set_cstr(d, "path", path) < 0 || dict_set_cstr(vm->modules, "os.path", path) < 0) {
        MINI_DECREF(path);
        MINI_DECREF(m);
        return NULL;
    }
    MINI_DECREF(path);
    return m;
}
