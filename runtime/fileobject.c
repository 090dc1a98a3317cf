// fileobject.c - file objects: buffered text and binary I/O over a file descriptor. They are
// what open() returns and what sys.stdin, sys.stdout and sys.stderr are.
//
// Design
// ------
// CPython stacks three objects (FileIO, a Buffered* object, TextIOWrapper); mini has one
// MiniFile that plays all three roles, with five static types that differ only in name and
// repr, so that repr(f) and type(f) read as in CPython:
//
//     _io.TextIOWrapper   text mode                  (str in, str out)
//     _io.BufferedReader  binary, read-only          (bytes in, bytes out)
//     _io.BufferedWriter  binary, write-only or append
//     _io.BufferedRandom  binary, read and write ('+')
//     _io.FileIO          binary with buffering=0
//
// A file has a write buffer and a read buffer of raw bytes, never both in use at once: a read
// first flushes pending writes, and a write first gives unread bytes back with lseek. Text is
// encoded when it enters the write buffer and decoded when it leaves the read buffer, so the
// read buffer always holds the file's bytes and tell() is simply the descriptor's position
// minus the unread bytes. Reading text scans the raw bytes for whole characters (UTF-8
// sequences are never split) and for line ends, with universal newlines (\r\n and \r read as
// \n) unless newline= says otherwise.
//
// Every blocking system call of a file goes through sys_write_all() (writing) or
// sys_read_some() (reading), which release the GIL around write(2) and read(2), so that other
// threads run while one waits on a pipe, a terminal or a disk.
//
// Threads: while a thread is inside write(2) without the GIL, another one may call a method of
// the same file, which would change the buffers under it. So each file has a stream lock (a
// pthread mutex, like the lock of CPython's buffered I/O objects): every method that touches
// the buffers holds it from start to end, and a whole print() is one locked write of its text
// and `end`, so lines from different threads never interleave inside a line. Taking the lock
// never blocks while holding the GIL: if another thread has it, the GIL is released while
// waiting. The lock is recursive for its owner (writelines() may run a generator that writes
// to the same file) and is re-created in the child of fork() (see VM.fork_generation).
// Flushing never raises by itself (it returns an errno), so that dealloc, VM teardown and
// file_flush_std() can flush without disturbing a pending exception.
//
// The methods have the vectorcall signature and return a new reference or NULL with an
// exception; the getters return new references.
//
// A file object holds only strs, bytes and ints, so it cannot be part of a reference cycle. It
// is tracked as a container all the same (with nothing to traverse), for one reason: a file
// kept alive by someone else's cycle is never deallocated, so nothing would flush it; being in
// the VM's container list lets file_flush_std() find and flush every open file at exit.

#include "fileobject.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../stdlib/stdlib.h"
#include "../vm/vm.h"

// The buffer size when open() is not given one (CPython's io.DEFAULT_BUFFER_SIZE).
#define FILE_BUFSIZE 8192

// How reading splits lines and whether it translates them (the newline= argument).
typedef enum {
    NL_UNIVERSAL, // None: \n, \r and \r\n end lines and read as \n
    NL_ANY,       // '': \n, \r and \r\n end lines, read untranslated
    NL_LF,        // '\n'
    NL_CR,        // '\r': also what \n becomes when written
    NL_CRLF,      // '\r\n': likewise
} NewlineMode;

// The encodings a file can have. Others raise LookupError at open().
typedef enum { ENC_UTF8, ENC_ASCII, ENC_LATIN1 } Encoding;

typedef struct {
    MiniObject ob;
    int fd;
    MiniObject *name;     // str, bytes or int: the name attribute
    MiniObject *mode;     // str: the mode attribute
    MiniObject *encoding; // str, text files only (else NULL)
    MiniObject *errors;   // str, text files only (else NULL)
    bool binary;
    bool readable, writable;
    bool closed;
    bool closefd;       // close() closes the descriptor
    bool line_buffered; // flush when a written text holds a line end
    bool write_through; // flush after every write (sys.stderr)
    bool strict;        // errors == 'strict'
    bool no_tell;       // text: next() was called, tell() refuses until EOF or a seek
    NewlineMode newline;
    Encoding enc;
    size_t bufsize; // 0: unbuffered (binary buffering=0)
    char *wbuf;     // pending writes: wlen bytes of wcap
    size_t wlen, wcap;
    char *rbuf; // read ahead: unread bytes are rbuf[rpos..rlen), rcap allocated
    size_t rpos, rlen, rcap;
    // The stream lock (see "Threads" above): the owner and its depth are only read and
    // written with the GIL held; lock_gen is the VM's fork_generation when it was made.
    pthread_mutex_t lock;
    ThreadState *lock_owner;
    int lock_depth;
    unsigned lock_gen;
    // A signal handler is running inside one of this file's system calls (sys_write_all,
    // sys_read_some), with the stream lock held and the buffers in use: a call from the
    // handler back into this file raises RuntimeError, as CPython's buffered I/O does.
    bool in_handler;
} MiniFile;

static MiniType file_text_type, file_reader_type, file_writer_type, file_random_type,
    file_fileio_type;

bool file_check(MiniObject *o) {
    if (!MINI_IS_PTR(o))
        return false;
    MiniType *t = o->type;
    return t == &file_text_type || t == &file_reader_type || t == &file_writer_type ||
           t == &file_random_type || t == &file_fileio_type;
}

// The type's name without its "_io." prefix, for messages ("TextIOWrapper.write() ...").
static const char *short_name(MiniFile *f) {
    const char *n = f->ob.type->name;
    const char *dot = strchr(n, '.');
    return dot ? dot + 1 : n;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

// Raises io.UnsupportedOperation (a subclass of OSError and ValueError, as in CPython) with
// [msg]. The class is made the first time it is needed and kept in the VM; should making it
// fail, OSError stands in. Returns NULL.
static MiniObject *raise_unsupported(const char *msg) {
    VM *vm = mini_ts->vm;
    if (!vm->io_unsupported_operation) {
        MiniObject *name = mini_intern("UnsupportedOperation");
        MiniObject *bases = tuple_pack(2, (MiniObject *)mini_exc_OSError,
                                       (MiniObject *)mini_exc_ValueError);
        MiniObject *ns = dict_new();
        MiniObject *cls = NULL;
        if (name && bases && ns && dict_set(ns, MINI_ID(__module__), mini_intern("io")) == 0) {
            MiniObject *args[3] = {name, bases, ns};
            cls = mini_call((MiniObject *)&mini_type_type, args, 3, NULL);
        }
        MINI_XDECREF(bases);
        MINI_XDECREF(ns);
        if (cls && MINI_IS_PTR(cls) && mini_isinstance_type(cls, &mini_type_type)) {
            vm->io_unsupported_operation = cls;
        } else {
            MINI_XDECREF(cls);
            mini_error_clear();
        }
    }
    MiniType *type = vm->io_unsupported_operation ? (MiniType *)vm->io_unsupported_operation
                                                  : mini_exc_OSError;
    return mini_raise_str(type, msg);
}

// CPython's text layer says "I/O operation on closed file." (with a period) for most
// operations; the descriptor-level methods (fileno, isatty, readable...) say it without.
static MiniObject *raise_closed(void) {
    return mini_raise_str(mini_exc_ValueError, "I/O operation on closed file.");
}

static MiniObject *raise_closed_raw(void) {
    return mini_raise_str(mini_exc_ValueError, "I/O operation on closed file");
}

// Raises the OSError for [err] (an errno value) with no filename. Returns NULL.
static MiniObject *raise_os(int err) { return mini_raise_errno(err, NULL); }

// "read expected at most 1 argument, got 2" and friends (CPython's unpack-tuple wording),
// plus "TextIOWrapper.read() takes no keyword arguments".
static bool check_args(MiniFile *f, const char *meth, size_t nargs, MiniObject *kwnames,
                       size_t min, size_t max) {
    if (kwnames && TUPLE_SIZE(kwnames)) {
        mini_raise(mini_exc_TypeError, "%s.%s() takes no keyword arguments", short_name(f),
                   meth);
        return false;
    }
    if (max == 0 && nargs > 0) {
        mini_raise(mini_exc_TypeError, "%s.%s() takes no arguments (%zu given)", short_name(f),
                   meth, nargs);
        return false;
    }
    return mini_check_nargs(meth, nargs, min, max);
}

// ---------------------------------------------------------------------------------------------
// System calls: the only places a file blocks
// ---------------------------------------------------------------------------------------------

// What sys_write_all, flush_wbuf and close_file return when a signal handler raised while
// they waited: no errno value looks like it, and the handler's exception (KeyboardInterrupt...)
// is pending. raise_io() passes it on.
#define IO_HANDLER_RAISED (-1)

static MiniObject *raise_io(int err) { return err == IO_HANDLER_RAISED ? NULL : raise_os(err); }

// Runs the pending signal handlers for a system call of [f] that failed with EINTR, marking the
// file busy meanwhile (see in_handler). False if a handler raised.
static bool run_handlers_for(MiniFile *f) {
    f->in_handler = true;
    bool ok = mini_signals_run_pending(mini_ts);
    f->in_handler = false;
    return ok;
}

// Writes all of [n] bytes at [p] to [f]'s descriptor, looping over partial writes and EINTR.
// Returns 0, an errno value or IO_HANDLER_RAISED. With [handlers], an interrupted write runs
// the signal handlers (in the main thread) and goes on unless one raised, as CPython's does
// since PEP 475: that is how Ctrl-C stops a print() blocked on a full pipe. Without (the quiet
// flushes at exit, before fork and in dealloc), it just goes on.
static int sys_write_all(MiniFile *f, const char *p, size_t n, bool handlers) {
    while (n > 0) {
        ssize_t w;
        MINI_BEGIN_ALLOW_THREADS
        w = write(f->fd, p, n);
        MINI_END_ALLOW_THREADS
        if (w < 0) {
            if (errno != EINTR)
                return errno;
            if (handlers && !run_handlers_for(f))
                return IO_HANDLER_RAISED;
            continue;
        }
        if (w == 0)
            return EIO; // a descriptor that accepts nothing would loop forever
        p += w;
        n -= (size_t)w;
        // A write interrupted after some bytes returns their count instead of EINTR: run the
        // handlers before blocking again, possibly for good (as CPython's buffered writer does).
        if (n > 0 && handlers && !run_handlers_for(f))
            return IO_HANDLER_RAISED;
    }
    return 0;
}

// What sys_read_some returns when a signal handler raised while it waited: no errno value
// looks like it, and the handler's exception (KeyboardInterrupt...) is pending.
#define READ_HANDLER_RAISED ((ssize_t)INT_MIN)

// Reads at most [n] bytes from [f]'s descriptor into [p]. Returns the count (0 at end of file),
// minus an errno value, or READ_HANDLER_RAISED. A read interrupted by a signal runs the
// signal's handlers (in the main thread; stdlib/signal.c) and is retried unless one raised, as
// CPython does since PEP 475: that is how Ctrl-C stops input() and sys.stdin.readline().
static ssize_t sys_read_some(MiniFile *f, char *p, size_t n) {
    for (;;) {
        ssize_t r;
        MINI_BEGIN_ALLOW_THREADS
        r = read(f->fd, p, n);
        MINI_END_ALLOW_THREADS
        if (r >= 0)
            return r;
        if (errno != EINTR)
            return -errno;
        if (!run_handlers_for(f))
            return READ_HANDLER_RAISED;
    }
}

// ---------------------------------------------------------------------------------------------
// The stream lock
// ---------------------------------------------------------------------------------------------

// In the child of fork() the lock may be held by a thread that does not exist there: make it
// anew the first time the child uses it.
static void lock_check_fork(MiniFile *f, ThreadState *ts) {
    if (f->lock_gen != ts->vm->fork_generation) {
        // Another thread was writing when the process forked: the flush before fork() had
        // to skip this file, and its pending bytes belong to the parent, which writes them.
        // Writing them here too would print them twice.
        if (f->lock_owner && f->lock_owner != ts)
            f->wlen = 0;
        pthread_mutex_init(&f->lock, NULL);
        f->lock_owner = NULL;
        f->lock_depth = 0;
        f->lock_gen = ts->vm->fork_generation;
    }
}

// The RuntimeError of a call into [f] from a signal handler that runs inside one of [f]'s own
// system calls; CPython names its buffered object.
static void raise_reentrant(MiniFile *f) {
    const char *kind = f->readable && f->writable ? "BufferedRandom"
                       : f->writable             ? "BufferedWriter"
                                                 : "BufferedReader";
    mini_raise(mini_exc_RuntimeError, "reentrant call inside <_io.%s name=%R>", kind, f->name);
}

// Takes [f]'s stream lock for the calling thread (GIL held), releasing the GIL while it waits.
// False, with RuntimeError, for a call from a signal handler running inside [f] (see in_handler).
static bool lock_file(MiniFile *f) {
    ThreadState *ts = mini_ts;
    lock_check_fork(f, ts);
    if (f->lock_owner == ts) {
        if (f->in_handler) {
            raise_reentrant(f);
            return false;
        }
        f->lock_depth++;
        return true;
    }
    if (pthread_mutex_trylock(&f->lock) != 0) {
        MINI_BEGIN_ALLOW_THREADS
        pthread_mutex_lock(&f->lock);
        MINI_END_ALLOW_THREADS
    }
    f->lock_owner = ts;
    f->lock_depth = 1;
    return true;
}

// Takes the lock only if that needs no wait: the flushes at exit and before fork() must not
// wait for a daemon thread that may never come back to release it. False if it is busy.
static bool try_lock_file(MiniFile *f) {
    ThreadState *ts = mini_ts;
    lock_check_fork(f, ts);
    if (f->lock_owner == ts) {
        if (f->in_handler)
            return false;
        f->lock_depth++;
        return true;
    }
    if (pthread_mutex_trylock(&f->lock) != 0)
        return false;
    f->lock_owner = ts;
    f->lock_depth = 1;
    return true;
}

static void unlock_file(MiniFile *f) {
    if (--f->lock_depth == 0) {
        f->lock_owner = NULL;
        pthread_mutex_unlock(&f->lock);
    }
}

// ---------------------------------------------------------------------------------------------
// Buffers
// ---------------------------------------------------------------------------------------------

// Writes the write buffer out and empties it (also when writing fails: data that cannot be
// written is dropped rather than retried at every later flush). Returns 0, an errno value or,
// with [handlers] (see sys_write_all), IO_HANDLER_RAISED; never raises by itself.
static int flush_wbuf(MiniFile *f, bool handlers) {
    if (f->wlen == 0)
        return 0;
    int err = sys_write_all(f, f->wbuf, f->wlen, handlers);
    f->wlen = 0;
    return err;
}

// Flushes, raising OSError on failure. 0 or -1.
static int flush_or_raise(MiniFile *f) {
    int err = flush_wbuf(f, true);
    if (err) {
        raise_io(err);
        return -1;
    }
    return 0;
}

// Forgets the read-ahead before a write or a seek, moving the descriptor back over the bytes
// read but not consumed, so the write lands where the reader stopped. A descriptor that
// cannot seek (a pipe) just loses them. Returns 0 or an errno value.
static int drop_read_buffer(MiniFile *f) {
    size_t unread = f->rlen - f->rpos;
    f->rpos = f->rlen = 0;
    if (unread && lseek(f->fd, -(off_t)unread, SEEK_CUR) < 0 && errno != ESPIPE)
        return errno;
    return 0;
}

// Appends [n] bytes to the file through the write buffer. [line_end] says the text written
// holds a line end (line-buffered files flush then). 0, or -1 with an exception.
static int buffered_write(MiniFile *f, const char *p, size_t n, bool line_end) {
    int err;
    if (f->rlen) {
        // A binary file writes where the reader stopped. A text file writes where its
        // read-ahead stopped, as CPython's TextIOWrapper (whose decoded read-ahead is
        // thrown away) does: 'r+' text written after a read() without a seek() appends.
        if (f->binary) {
            if ((err = drop_read_buffer(f)))
                goto fail;
        } else {
            f->rpos = f->rlen = 0;
        }
    }
    if (f->bufsize == 0 || n >= f->bufsize) {
        // Unbuffered files and writes bigger than the buffer go straight out, after what
        // was buffered before them.
        if ((err = flush_wbuf(f, true)) || (err = sys_write_all(f, p, n, true)))
            goto fail;
        return 0;
    }
    if (f->wlen + n > f->bufsize && (err = flush_wbuf(f, true)))
        goto fail;
    if (!f->wbuf) {
        f->wbuf = mini_malloc(f->bufsize);
        if (!f->wbuf)
            return -1;
        f->wcap = f->bufsize;
    }
    memcpy(f->wbuf + f->wlen, p, n);
    f->wlen += n;
    if (f->write_through || (f->line_buffered && line_end))
        return flush_or_raise(f);
    return 0;
fail:
    raise_io(err);
    return -1;
}

// Reads more bytes from the descriptor after the unread ones. A binary file's pending writes
// go out first (a file open for update reads what was written). Returns the count read (0 at
// end of file) or -1 with an exception. Offsets into the unread bytes (relative to rpos) stay
// valid.
static ssize_t fill(MiniFile *f) {
    // A text file does not: CPython's TextIOWrapper hands its pending text to a buffer whose
    // read1() reads before writing it, so in 'r+' text written and then read without a flush
    // or seek lands after what was read. Matching that keeps such programs' output the same.
    if (f->binary && f->wlen && flush_or_raise(f) < 0)
        return -1;
    size_t unread = f->rlen - f->rpos;
    if (f->rpos > 0) {
        memmove(f->rbuf, f->rbuf + f->rpos, unread);
        f->rpos = 0;
        f->rlen = unread;
    }
    size_t chunk = f->bufsize ? f->bufsize : FILE_BUFSIZE;
    if (f->rcap - f->rlen < chunk) {
        // Grow by doubling so that reading a whole file takes amortised linear time.
        size_t cap = f->rcap ? f->rcap * 2 : chunk;
        while (cap - f->rlen < chunk)
            cap *= 2;
        char *nb = mini_realloc(f->rbuf, cap);
        if (!nb)
            return -1;
        f->rbuf = nb;
        f->rcap = cap;
    }
    ssize_t r = sys_read_some(f, f->rbuf + f->rlen, f->rcap - f->rlen);
    if (r == READ_HANDLER_RAISED)
        return -1;
    if (r < 0) {
        raise_os((int)-r);
        return -1;
    }
    f->rlen += (size_t)r;
    return r;
}

// ---------------------------------------------------------------------------------------------
// Text: scanning, decoding, encoding
// ---------------------------------------------------------------------------------------------

// How many bytes the UTF-8 character starting with byte [c] takes. Bytes that cannot start a
// character count as one; the decoder reports them.
static size_t utf8_len(unsigned char c) {
    if (c < 0xc0)
        return 1;
    if (c < 0xe0)
        return 2;
    if (c < 0xf0)
        return 3;
    if (c < 0xf8)
        return 4;
    return 1;
}

// Where a scan of the unread bytes stands: [pos] bytes (from rpos) and [chars] characters
// looked at so far. A scan resumes there after more bytes arrive, so a long line is scanned
// once however many reads it takes.
typedef struct {
    size_t pos, chars;
} Scan;

// Scans the unread text for the end of the next piece: at most [limit] characters (no limit
// when negative), ending after the first line end when [line]. Returns true with *end (bytes
// from rpos) when the piece ends inside the buffer; false when more bytes must be read to know
// (at end of file the caller takes all that is left).
static bool scan_text(MiniFile *f, Scan *s, ssize_t limit, bool line, size_t *end) {
    size_t n = f->rlen - f->rpos;
    // (No pointer arithmetic on a buffer not allocated yet: p is only read when n > 0.)
    const unsigned char *p = n ? (const unsigned char *)f->rbuf + f->rpos : NULL;
    while (s->pos < n) {
        if (limit >= 0 && s->chars >= (size_t)limit) {
            *end = s->pos;
            return true;
        }
        unsigned char c = p[s->pos];
        if (c == '\n') {
            s->pos++;
            s->chars++;
            if (line && f->newline != NL_CR && f->newline != NL_CRLF) {
                *end = s->pos;
                return true;
            }
            continue;
        }
        if (c == '\r' && f->newline != NL_LF) {
            bool ends_line = true;
            if (f->newline != NL_CR) {
                // Whether \r starts \r\n depends on the next byte.
                if (s->pos + 1 >= n)
                    return false;
                if (p[s->pos + 1] == '\n') {
                    // Read as one \n (universal), or as two characters; these may be
                    // split by a limit that leaves room for one only.
                    size_t width = f->newline == NL_UNIVERSAL ? 1 : 2;
                    if (width == 2 && limit >= 0 && s->chars + 2 > (size_t)limit) {
                        s->pos++;
                        s->chars++;
                        ends_line = f->newline != NL_CRLF;
                    } else {
                        s->pos += 2;
                        s->chars += width;
                    }
                } else {
                    s->pos++;
                    s->chars++;
                    ends_line = f->newline != NL_CRLF;
                }
            } else {
                s->pos++;
                s->chars++;
            }
            if (line && ends_line) {
                *end = s->pos;
                return true;
            }
            continue;
        }
        size_t len = f->enc == ENC_UTF8 ? utf8_len(c) : 1;
        if (s->pos + len > n)
            return false;
        s->pos += len;
        s->chars++;
    }
    if (limit >= 0 && s->chars >= (size_t)limit) {
        *end = s->pos;
        return true;
    }
    return false;
}

// Calls bytes.decode(encoding, errors) on [n] bytes: the general (non-strict) path. New str.
static MiniObject *decode_by_method(MiniFile *f, const char *p, size_t n) {
    MiniObject *b = bytes_new(p, n);
    if (!b)
        return NULL;
    MiniObject *s = mini_call_method(b, "decode", 2, f->encoding, f->errors);
    MINI_DECREF(b);
    if (s && !str_check(s)) {
        MINI_DECREF(s);
        return mini_raise_str(mini_exc_TypeError, "decoder should return a string result");
    }
    return s;
}

// Decodes [n] raw bytes of the file into a str, translating line ends in universal mode.
// New reference.
static MiniObject *decode_text(MiniFile *f, const char *p, size_t n) {
    char *tmp = NULL;
    if (f->newline == NL_UNIVERSAL && memchr(p, '\r', n)) {
        tmp = mini_malloc(n);
        if (!tmp)
            return NULL;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (p[i] == '\r') {
                tmp[k++] = '\n';
                if (i + 1 < n && p[i + 1] == '\n')
                    i++;
            } else {
                tmp[k++] = p[i];
            }
        }
        p = tmp;
        n = k;
    }
    MiniObject *s;
    if (f->enc == ENC_LATIN1) {
        // Every byte is the code point of the same value: widen to UTF-8.
        StrBuf b;
        strbuf_init(&b);
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)p[i];
            if (c < 0x80) {
                strbuf_addc(&b, (char)c);
            } else {
                strbuf_addc(&b, (char)(0xc0 | (c >> 6)));
                strbuf_addc(&b, (char)(0x80 | (c & 0x3f)));
            }
        }
        s = strbuf_finish(&b);
    } else if (f->strict && f->enc == ENC_UTF8) {
        s = str_decode_utf8(p, n);
    } else {
        bool ascii = true;
        for (size_t i = 0; i < n && ascii; i++)
            ascii = (unsigned char)p[i] < 0x80;
        s = ascii ? str_new(p, n) : decode_by_method(f, p, n);
    }
    mini_free(tmp);
    return s;
}

// Reads the next piece of text (see scan_text). New str; "" at end of file.
static MiniObject *read_text(MiniFile *f, ssize_t limit, bool line) {
    Scan s = {0, 0};
    size_t end;
    while (!scan_text(f, &s, limit, line, &end)) {
        ssize_t r = fill(f);
        if (r < 0)
            return NULL;
        if (r == 0) {
            end = f->rlen - f->rpos;
            break;
        }
    }
    if (end == 0)
        return str_new("", 0);
    MiniObject *res = decode_text(f, f->rbuf + f->rpos, end);
    // The bytes are consumed even when they do not decode, so iterating over a file with a
    // bad line cannot loop forever on it.
    f->rpos += end;
    return res;
}

// Reads up to [limit] bytes (all when negative), or one line ending in b'\n' when [line].
// New bytes; b'' at end of file.
static MiniObject *read_binary(MiniFile *f, ssize_t limit, bool line) {
    size_t scanned = 0, end;
    for (;;) {
        size_t unread = f->rlen - f->rpos;
        if (limit >= 0 && unread >= (size_t)limit) {
            end = (size_t)limit;
            if (!line)
                break;
        } else {
            end = unread;
        }
        if (line) {
            const char *nl =
                end > scanned ? memchr(f->rbuf + f->rpos + scanned, '\n', end - scanned) : NULL;
            if (nl) {
                end = (size_t)(nl - (f->rbuf + f->rpos)) + 1;
                break;
            }
            if (limit >= 0 && end == (size_t)limit)
                break;
            scanned = end;
        }
        ssize_t r = fill(f);
        if (r < 0)
            return NULL;
        if (r == 0) {
            end = f->rlen - f->rpos;
            break;
        }
    }
    MiniObject *res = bytes_new(f->rbuf ? f->rbuf + f->rpos : "", end);
    if (res)
        f->rpos += end;
    return res;
}

// Encodes [s] for a text file into *out/*n: the str's own bytes when it can, else a new
// buffer (*tmp, to be freed) or a bytes object (*holder, to be released).
static bool encode_text(MiniFile *f, MiniObject *s, const char **out, size_t *n, char **tmp,
                        MiniObject **holder) {
    const char *p = STR_DATA(s);
    size_t size = STR_SIZE(s);
    *tmp = NULL;
    *holder = NULL;
    if ((f->newline == NL_CR || f->newline == NL_CRLF) && memchr(p, '\n', size)) {
        // Written \n becomes the file's line end.
        size_t extra = 0;
        for (size_t i = 0; i < size; i++)
            extra += p[i] == '\n' && f->newline == NL_CRLF;
        char *t = mini_malloc(size + extra + 1);
        if (!t)
            return false;
        size_t k = 0;
        for (size_t i = 0; i < size; i++) {
            if (p[i] == '\n') {
                t[k++] = '\r';
                if (f->newline == NL_CRLF)
                    t[k++] = '\n';
            } else {
                t[k++] = p[i];
            }
        }
        t[k] = '\0';
        *tmp = t;
        p = t;
        size = k;
    }
    if (f->enc != ENC_UTF8 && !((MiniStr *)s)->ascii) {
        // Non-ASCII text in a non-UTF-8 file: str.encode does the work and the errors.
        MiniObject *src = s;
        if (*tmp) {
            src = str_new(p, size);
            if (!src) {
                mini_free(*tmp);
                *tmp = NULL;
                return false;
            }
        } else {
            MINI_INCREF(src);
        }
        MiniObject *b = mini_call_method(src, "encode", 2, f->encoding, f->errors);
        MINI_DECREF(src);
        mini_free(*tmp);
        *tmp = NULL;
        if (!b)
            return false;
        if (!bytes_check(b)) {
            MINI_DECREF(b);
            mini_raise_str(mini_exc_TypeError, "encoder should return a bytes object");
            return false;
        }
        *holder = b;
        p = ((MiniBytes *)b)->data;
        size = ((MiniBytes *)b)->size;
    }
    *out = p;
    *n = size;
    return true;
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

// Writes a str to a text file: the number of characters written (as write() returns), or -1
// with an exception.
static ssize_t write_text(MiniFile *f, MiniObject *s) {
    if (!str_check(s)) {
        mini_raise(mini_exc_TypeError, "write() argument must be str, not %s",
                   s == MINI_NONE ? "None" : mini_type_name(s));
        return -1;
    }
    if (f->closed) {
        raise_closed();
        return -1;
    }
    if (!f->writable) {
        raise_unsupported("not writable");
        return -1;
    }
    const char *p;
    size_t n;
    char *tmp;
    MiniObject *holder;
    if (!encode_text(f, s, &p, &n, &tmp, &holder))
        return -1;
    if (f->closed) {
        // The encode method of a str subclass is mini code, which may have closed the file.
        mini_free(tmp);
        MINI_XDECREF(holder);
        raise_closed();
        return -1;
    }
    bool line_end =
        memchr(STR_DATA(s), '\n', STR_SIZE(s)) || memchr(STR_DATA(s), '\r', STR_SIZE(s));
    int r = buffered_write(f, p, n, line_end);
    mini_free(tmp);
    MINI_XDECREF(holder);
    return r < 0 ? -1 : (ssize_t)STR_LEN(s);
}

// The bytes of a bytes-like object, or false with TypeError.
static bool bytes_like(MiniObject *o, const char **p, size_t *n) {
    if (bytes_check(o)) {
        *p = ((MiniBytes *)o)->data;
        *n = ((MiniBytes *)o)->size;
        return true;
    }
    if (MINI_IS_PTR(o) && mini_isinstance_type(o, &mini_bytearray_type)) {
        *p = ((MiniByteArray *)o)->data;
        *n = ((MiniByteArray *)o)->size;
        if (!*p)
            *p = "";
        return true;
    }
    mini_raise(mini_exc_TypeError, "a bytes-like object is required, not '%s'",
               mini_type_name(o));
    return false;
}

// Writes a bytes-like object to a binary file: the number of bytes, or -1 with an exception.
static ssize_t write_binary(MiniFile *f, MiniObject *o) {
    if (!f->writable) {
        raise_unsupported("write");
        return -1;
    }
    const char *p;
    size_t n;
    if (!bytes_like(o, &p, &n))
        return -1;
    if (f->closed) {
        mini_raise_str(mini_exc_ValueError, "write to closed file");
        return -1;
    }
    return buffered_write(f, p, n, memchr(p, '\n', n) != NULL) < 0 ? -1 : (ssize_t)n;
}

static ssize_t write_any(MiniFile *f, MiniObject *o) {
    return f->binary ? write_binary(f, o) : write_text(f, o);
}

// ---------------------------------------------------------------------------------------------
// The API of stdlib.h and fileobject.h
// ---------------------------------------------------------------------------------------------

// Allocates a file over [fd] with everything but the capabilities set to defaults.
static MiniFile *file_alloc(MiniType *type, int fd) {
    MiniFile *f = (MiniFile *)mini_gc_alloc(type, sizeof(MiniFile));
    if (!f)
        return NULL;
    f->fd = fd;
    pthread_mutex_init(&f->lock, NULL);
    f->lock_gen = mini_ts->vm->fork_generation;
    f->closefd = true;
    f->strict = true;
    f->newline = NL_UNIVERSAL;
    f->enc = ENC_UTF8;
    f->bufsize = FILE_BUFSIZE;
    return f;
}

MiniObject *file_from_fd(int fd, const char *name, const char *mode, bool line_buffered) {
    bool binary = strchr(mode, 'b') != NULL;
    bool plus = strchr(mode, '+') != NULL;
    bool reading = strchr(mode, 'r') != NULL;
    MiniType *type = &file_text_type;
    if (binary)
        type = plus ? &file_random_type : reading ? &file_reader_type : &file_writer_type;
    MiniFile *f = file_alloc(type, fd);
    if (!f)
        return NULL;
    f->binary = binary;
    f->readable = reading || plus;
    f->writable = !reading || plus;
    // The standard streams belong to the process: closing sys.stdout must not close fd 1
    // under the embedding program (or a second VM).
    f->closefd = false;
    f->line_buffered = line_buffered && !binary;
    // CPython's standard streams use newline='\n' on POSIX: no translation either way.
    f->newline = NL_LF;
    f->name = str_from_cstr(name);
    f->mode = str_from_cstr(mode);
    if (!binary) {
        f->encoding = str_from_cstr("utf-8");
        f->errors = str_from_cstr("strict");
    }
    if (!f->name || !f->mode || (!binary && (!f->encoding || !f->errors))) {
        MINI_DECREF(f);
        return NULL;
    }
    return (MiniObject *)f;
}

void file_set_write_through(MiniObject *file, bool on) {
    if (file_check(file))
        ((MiniFile *)file)->write_through = on;
}

int file_write_str(MiniObject *file, MiniObject *str) {
    if (file_check(file)) {
        MiniFile *f = (MiniFile *)file;
        if (!lock_file(f))
            return -1;
        int r = write_any(f, str) < 0 ? -1 : 0;
        unlock_file(f);
        return r;
    }
    MiniObject *r = mini_call_method(file, "write", 1, str);
    if (!r)
        return -1;
    MINI_DECREF(r);
    return 0;
}

int file_flush(MiniObject *file) {
    if (file_check(file)) {
        MiniFile *f = (MiniFile *)file;
        if (f->closed) {
            // CPython's buffered writers name the operation; its readers do not.
            if (f->binary && f->writable)
                mini_raise_str(mini_exc_ValueError, "flush of closed file");
            else
                raise_closed();
            return -1;
        }
        // A flush also gives tell() back to a text file being iterated, as in CPython.
        f->no_tell = false;
        if (!lock_file(f))
            return -1;
        int r = flush_or_raise(f);
        unlock_file(f);
        return r;
    }
    MiniObject *r = mini_call_method(file, "flush", 0);
    if (!r)
        return -1;
    MINI_DECREF(r);
    return 0;
}

// Flushes one standard stream quietly: errors at this point have nowhere to go.
static void flush_quietly(MiniObject *stream) {
    if (!stream || stream == MINI_NONE)
        return;
    if (file_check(stream)) {
        MiniFile *f = (MiniFile *)stream;
        if (!f->closed && try_lock_file(f)) {
            flush_wbuf(f, false);
            unlock_file(f);
        }
        return;
    }
    MiniObject *r = mini_call_method(stream, "flush", 0);
    if (r)
        MINI_DECREF(r);
    else
        mini_error_clear();
}

// Flushes every open file of the VM quietly, found through its container list (see the design
// note: files in unreachable cycles are otherwise never flushed).
static void flush_all_files(VM *vm) {
    for (GcHead *g = vm->gc_list.next; g && g != &vm->gc_list; g = g->next) {
        MiniObject *o = MINI_GC_OBJ(g);
        if (file_check(o) && !((MiniFile *)o)->closed && try_lock_file((MiniFile *)o)) {
            flush_wbuf((MiniFile *)o, false);
            unlock_file((MiniFile *)o);
        }
    }
}

// Flushes sys.stdout and sys.stderr (which may be objects of the program), then every other
// open file: it runs at exit, before fork and before an uncaught traceback, and data written
// before those must not be lost or written twice.
void file_flush_std(void) {
    if (!mini_ts || !mini_ts->vm)
        return;
    MiniObject *sys = mini_ts->vm->sys_module;
    MiniObject *dict = NULL;
    if (sys && MINI_IS_PTR(sys) && mini_isinstance_type(sys, &mini_module_type))
        dict = ((MiniModule *)sys)->dict;
    if (!dict) {
        flush_all_files(mini_ts->vm);
        return;
    }
    // A user object standing in for a stream may run mini code: keep any pending exception
    // (an uncaught one about to be printed) out of its way.
    MiniObject *saved = mini_error_fetch();
    MiniObject *out = dict_get_str(dict, MINI_ID(stdout));
    MINI_XINCREF(out);
    flush_quietly(out);
    MINI_XDECREF(out);
    MiniObject *err = dict_get_str(dict, MINI_ID(stderr));
    MINI_XINCREF(err);
    flush_quietly(err);
    MINI_XDECREF(err);
    mini_error_clear();
    if (saved)
        mini_error_restore(saved);
    flush_all_files(mini_ts->vm);
}

MiniObject *file_readline(MiniObject *file) {
    if (file_check(file)) {
        MiniFile *f = (MiniFile *)file;
        if (f->closed)
            return f->binary ? mini_raise_str(mini_exc_ValueError, "readline of closed file")
                             : raise_closed();
        if (!f->readable)
            return raise_unsupported(f->binary ? "read" : "not readable");
        if (!lock_file(f))
            return NULL;
        MiniObject *line = f->binary ? read_binary(f, -1, true) : read_text(f, -1, true);
        unlock_file(f);
        return line;
    }
    return mini_call_method(file, "readline", 0);
}

// ---------------------------------------------------------------------------------------------
// open()
// ---------------------------------------------------------------------------------------------

// Recognises the encodings a file supports, by the normalised name (case, '_' and ' ' as
// '-'). False for anything else.
static bool parse_encoding(MiniObject *name, Encoding *out) {
    char buf[24];
    size_t n = STR_SIZE(name);
    if (n >= sizeof buf)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = STR_DATA(name)[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c == '_' || c == ' ')
            c = '-';
        buf[i] = c;
    }
    buf[n] = '\0';
    static const char *const utf8[] = {"utf-8", "utf8", "u8", "utf", "cp65001", NULL};
    static const char *const ascii[] = {"ascii", "us-ascii", "646", "us", NULL};
    static const char *const latin1[] = {"latin-1", "latin1", "latin", "iso-8859-1",
                                         "iso8859-1", "8859", "cp819", "l1", "iso-ir-100",
                                         NULL};
    static const char *const *const tables[] = {utf8, ascii, latin1};
    static const Encoding codes[] = {ENC_UTF8, ENC_ASCII, ENC_LATIN1};
    for (size_t t = 0; t < 3; t++)
        for (const char *const *e = tables[t]; *e; e++)
            if (strcmp(buf, *e) == 0) {
                *out = codes[t];
                return true;
            }
    return false;
}

// Checks an optional str argument of open(): NULL or None gives NULL.
static bool optional_str(MiniObject *o, const char *what, MiniObject **out) {
    *out = NULL;
    if (!o || o == MINI_NONE)
        return true;
    if (!str_check(o)) {
        mini_raise(mini_exc_TypeError, "open() argument '%s' must be str or None, not %s", what,
                   mini_type_name(o));
        return false;
    }
    *out = o;
    return true;
}

// The path open() is given as a str or bytes (os.fspath), or an int descriptor. Sets *path
// to a new reference to a str or bytes, or *fd for an int. False with TypeError/ValueError.
static bool file_path(MiniObject *file, MiniObject **path, int *fd) {
    *path = NULL;
    if (int_check(file)) {
        int64_t v;
        if (!int_as_i64(file, &v))
            return false;
        if (v < 0 || v > INT32_MAX) {
            mini_raise_str(mini_exc_ValueError, "negative file descriptor");
            return false;
        }
        *fd = (int)v;
        return true;
    }
    MiniObject *p = NULL;
    if (str_check(file) || bytes_check(file)) {
        p = mini_newref(file);
    } else {
        MiniObject *fspath = type_lookup(mini_type(file), mini_intern("__fspath__"));
        if (!fspath) {
            mini_raise(mini_exc_TypeError,
                       "expected str, bytes or os.PathLike object, not %s",
                       mini_type_name(file));
            return false;
        }
        p = mini_call_n(fspath, 1, file);
        if (!p)
            return false;
        if (!str_check(p) && !bytes_check(p)) {
            mini_raise(mini_exc_TypeError,
                       "expected %s.__fspath__() to return str or bytes, not %s",
                       mini_type_name(file), mini_type_name(p));
            MINI_DECREF(p);
            return false;
        }
    }
    const char *data = str_check(p) ? STR_DATA(p) : ((MiniBytes *)p)->data;
    size_t size = str_check(p) ? STR_SIZE(p) : ((MiniBytes *)p)->size;
    if (strlen(data) != size) {
        MINI_DECREF(p);
        mini_raise_str(mini_exc_ValueError, "embedded null byte");
        return false;
    }
    *path = p;
    return true;
}

MiniObject *file_open(MiniObject *self, MiniObject *const *args, size_t nargs,
                      MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"file",   "mode",    "buffering", "encoding", "errors",
                                        "newline", "closefd", "opener",    NULL};
    MiniObject *a[8] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    if (!mini_parse_args("open", args, nargs, kwnames, names, 1, a))
        return NULL;
    MiniObject *file = a[0];

    // Argument types, in the order CPython's argument clinic checks them.
    const char *mode = "r";
    if (a[1]) {
        if (!str_check(a[1]))
            return mini_raise(mini_exc_TypeError, "open() argument 'mode' must be str, not %s",
                              a[1] == MINI_NONE ? "None" : mini_type_name(a[1]));
        mode = STR_DATA(a[1]);
    }
    ssize_t buffering = -1;
    if (a[2]) {
        buffering = mini_as_ssize(a[2]);
        if (buffering == -1 && mini_error_occurred())
            return NULL;
    }
    MiniObject *encoding, *errors, *newline;
    if (!optional_str(a[3], "encoding", &encoding) || !optional_str(a[4], "errors", &errors) ||
        !optional_str(a[5], "newline", &newline))
        return NULL;
    bool closefd = true;
    if (a[6]) {
        int t = mini_truthy(a[6]);
        if (t < 0)
            return NULL;
        closefd = t;
    }
    MiniObject *opener = a[7] == MINI_NONE ? NULL : a[7];

    // The mode, with CPython's checks and messages.
    bool creating = false, reading = false, writing = false, appending = false,
         updating = false, text = false, binary = false;
    for (const char *c = mode; *c; c++) {
        bool *flag;
        switch (*c) {
        case 'x': flag = &creating; break;
        case 'r': flag = &reading; break;
        case 'w': flag = &writing; break;
        case 'a': flag = &appending; break;
        case '+': flag = &updating; break;
        case 't': flag = &text; break;
        case 'b': flag = &binary; break;
        default: flag = NULL; break;
        }
        if (!flag || strchr(c + 1, *c))
            return mini_raise(mini_exc_ValueError, "invalid mode: '%s'", mode);
        *flag = true;
    }
    if (text && binary)
        return mini_raise_str(mini_exc_ValueError, "can't have text and binary mode at once");
    if (creating + reading + writing + appending > 1)
        return mini_raise_str(mini_exc_ValueError,
                              "must have exactly one of create/read/write/append mode");
    if (binary && encoding)
        return mini_raise_str(mini_exc_ValueError,
                              "binary mode doesn't take an encoding argument");
    if (binary && errors)
        return mini_raise_str(mini_exc_ValueError, "binary mode doesn't take an errors argument");
    if (binary && newline)
        return mini_raise_str(mini_exc_ValueError, "binary mode doesn't take a newline argument");
    if (!(creating || reading || writing || appending))
        return mini_raise_str(mini_exc_ValueError,
                              "Must have exactly one of create/read/write/append mode and at "
                              "most one plus");

    MiniObject *path;
    int fd = -1;
    if (!file_path(file, &path, &fd))
        return NULL;
    if (path && !closefd) {
        MINI_DECREF(path);
        return mini_raise_str(mini_exc_ValueError, "Cannot use closefd=False with file name");
    }

    // Open the descriptor.
    int flags = O_CLOEXEC;
    if (updating || (reading && (writing || appending)))
        flags |= O_RDWR;
    else if (reading)
        flags |= O_RDONLY;
    else
        flags |= O_WRONLY;
    if (creating)
        flags |= O_CREAT | O_EXCL;
    if (writing)
        flags |= O_CREAT | O_TRUNC;
    if (appending)
        flags |= O_CREAT | O_APPEND;
    if (path) {
        if (opener) {
            MiniObject *fl = int_from_i64(flags);
            MiniObject *r = fl ? mini_call_n(opener, 2, path, fl) : NULL;
            MINI_XDECREF(fl);
            int64_t v = -1;
            bool ok = r && int_check(r) && int_as_i64(r, &v);
            if (r && !int_check(r))
                mini_raise(mini_exc_TypeError, "expected integer from opener");
            MINI_XDECREF(r);
            if (!ok) {
                MINI_DECREF(path);
                return NULL;
            }
            if (v < 0 || v > INT32_MAX) {
                MINI_DECREF(path);
                return mini_raise(mini_exc_ValueError, "opener returned %lld", (long long)v);
            }
            fd = (int)v;
        } else {
            // open(2) may block (a FIFO waits for its other end): without the GIL. [path] is
            // immutable and referenced here, so its bytes stay put meanwhile.
            const char *cpath = str_check(path) ? STR_DATA(path) : ((MiniBytes *)path)->data;
            MINI_BEGIN_ALLOW_THREADS
            do {
                fd = open(cpath, flags, 0666);
            } while (fd < 0 && errno == EINTR);
            MINI_END_ALLOW_THREADS
            if (fd < 0) {
                int err = errno;
                MINI_DECREF(path);
                return mini_raise_errno(err, file);
            }
        }
    }

    // From here on an error must not leak the descriptor. The name attribute is the path (a
    // str or bytes; what __fspath__ gave for a path-like object) or the descriptor number.
    MiniObject *name_obj = path ? path : mini_newref(file);
    MiniFile *f = NULL;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        // Only a descriptor given by number can be bad; it is not ours to close.
        mini_raise_errno(errno, NULL);
        closefd = false;
        goto error;
    }
    if (S_ISDIR(st.st_mode)) {
        mini_raise_errno(EISDIR, file);
        goto error;
    }
    if (appending)
        lseek(fd, 0, SEEK_END);
    if (buffering == 0 && !binary) {
        mini_raise_str(mini_exc_ValueError, "can't have unbuffered text I/O");
        goto error;
    }
    Encoding enc = ENC_UTF8;
    if (encoding && !parse_encoding(encoding, &enc)) {
        mini_raise(mini_exc_LookupError, "unknown encoding: %S", encoding);
        goto error;
    }
    NewlineMode nl = NL_UNIVERSAL;
    if (newline) {
        const char *s = STR_DATA(newline);
        if (STR_SIZE(newline) == 0)
            nl = NL_ANY;
        else if (strcmp(s, "\n") == 0)
            nl = NL_LF;
        else if (strcmp(s, "\r") == 0)
            nl = NL_CR;
        else if (strcmp(s, "\r\n") == 0)
            nl = NL_CRLF;
        else {
            mini_raise(mini_exc_ValueError, "illegal newline value: %s", s);
            goto error;
        }
    }

    bool rd = reading || updating, wr = writing || appending || creating || updating;
    MiniType *type = &file_text_type;
    if (binary)
        type = buffering == 0 ? &file_fileio_type
               : rd && wr     ? &file_random_type
               : rd           ? &file_reader_type
                              : &file_writer_type;
    f = file_alloc(type, fd);
    if (!f)
        goto error;
    f->closefd = closefd;
    f->binary = binary;
    f->readable = rd;
    f->writable = wr;
    f->newline = nl;
    f->enc = enc;
    if (buffering == 0)
        f->bufsize = 0;
    else if (buffering > 1)
        f->bufsize = (size_t)buffering;
    // Text files flush at line ends when asked to (buffering=1) or when they are terminals.
    f->line_buffered = !binary && (buffering == 1 || (buffering < 0 && isatty(fd)));
    f->name = name_obj;
    name_obj = NULL;
    if (binary) {
        // The mode attribute of a binary file is normalised as FileIO does it.
        const char *m = creating ? (updating ? "xb+" : "xb")
                        : appending ? (updating ? "ab+" : "ab")
                        : rd && wr  ? "rb+"
                        : rd        ? "rb"
                                    : "wb";
        f->mode = str_from_cstr(m);
    } else {
        f->mode = a[1] ? mini_newref(a[1]) : str_from_cstr("r");
        f->encoding = encoding ? mini_newref(encoding) : str_from_cstr("UTF-8");
        f->errors = errors ? mini_newref(errors) : str_from_cstr("strict");
        f->strict = !errors || strcmp(STR_DATA(errors), "strict") == 0;
    }
    if (!f->name || !f->mode || (!binary && (!f->encoding || !f->errors))) {
        MINI_DECREF(f); // closes the descriptor
        return NULL;
    }
    return (MiniObject *)f;

error:
    MINI_DECREF(name_obj);
    if (closefd)
        close(fd);
    return NULL;
}

// ---------------------------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------------------------

static bool size_value(MiniObject *o, ssize_t *size);

// Parses the optional size argument of read/readlines (and binary readline): None or an int,
// -1 when absent. False with TypeError.
static bool parse_size(MiniFile *f, const char *meth, MiniObject *const *args, size_t nargs,
                       MiniObject *kwnames, ssize_t *size) {
    *size = -1;
    if (!check_args(f, meth, nargs, kwnames, 0, 1))
        return false;
    if (nargs == 0 || args[0] == MINI_NONE)
        return true;
    return size_value(args[0], size);
}

// The size argument of text readline(), which CPython takes as a plain index (no None):
// "'str' object cannot be interpreted as an integer".
static bool parse_index_size(MiniFile *f, const char *meth, MiniObject *const *args,
                             size_t nargs, MiniObject *kwnames, ssize_t *size) {
    *size = -1;
    if (!check_args(f, meth, nargs, kwnames, 0, 1))
        return false;
    if (nargs == 0)
        return true;
    *size = mini_as_ssize(args[0]);
    return !(*size == -1 && mini_error_occurred());
}

// Converts a size given as an int (or an __index__ object): "argument should be integer or
// None, not 'str'" otherwise. False with TypeError.
static bool size_value(MiniObject *o, ssize_t *size) {
    if (!int_check(o) && !mini_type(o)->nb_index) {
        mini_raise(mini_exc_TypeError, "argument should be integer or None, not '%s'",
                   mini_type_name(o));
        return false;
    }
    *size = mini_as_ssize(o);
    return !(*size == -1 && mini_error_occurred());
}

// Checks that [f] can be read: open, and opened for reading. [what] names the operation in
// the binary layer's messages ("read of closed file").
static bool check_readable(MiniFile *f, const char *what) {
    if (f->binary) {
        if (!f->readable) {
            raise_unsupported("read");
            return false;
        }
        if (f->closed) {
            mini_raise(mini_exc_ValueError, "%s of closed file", what);
            return false;
        }
        return true;
    }
    if (f->closed) {
        raise_closed();
        return false;
    }
    if (!f->readable) {
        raise_unsupported("not readable");
        return false;
    }
    return true;
}

static MiniObject *file_read(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    MiniFile *f = (MiniFile *)self;
    ssize_t size;
    // CPython's binary writers have no read() of their own: any call is unsupported.
    if (f->binary && !f->readable)
        return raise_unsupported("read");
    if (!parse_size(f, "read", args, nargs, kwnames, &size) || !check_readable(f, "read"))
        return NULL;
    // Reading a text file to its end writes pending text first (CPython's buffer.read()
    // flushes; the read1() behind sized reads and lines does not: see fill()).
    if (!f->binary && size < 0 && f->wlen && flush_or_raise(f) < 0)
        return NULL;
    return f->binary ? read_binary(f, size, false) : read_text(f, size, false);
}

static MiniObject *file_readline_method(MiniObject *self, MiniObject *const *args,
                                        size_t nargs, MiniObject *kwnames) {
    MiniFile *f = (MiniFile *)self;
    ssize_t size;
    bool ok = f->binary ? parse_size(f, "readline", args, nargs, kwnames, &size)
                        : parse_index_size(f, "readline", args, nargs, kwnames, &size);
    if (!ok)
        return NULL;
    // A binary writer's readline is CPython's generic one, which reads nothing for size 0.
    if (f->binary && !f->readable && size == 0)
        return bytes_new("", 0);
    if (!check_readable(f, "readline"))
        return NULL;
    return f->binary ? read_binary(f, size, true) : read_text(f, size, true);
}

static MiniObject *file_readlines(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    MiniFile *f = (MiniFile *)self;
    ssize_t hint;
    if (!parse_size(f, "readlines", args, nargs, kwnames, &hint))
        return NULL;
    if (f->closed)
        return raise_closed();
    // CPython's readlines() iterates over the file: a text file gives up tell() as next()
    // does (see file_iternext), until the end of the file.
    if (!f->binary)
        f->no_tell = true;
    if (!check_readable(f, "readline"))
        return NULL;
    MiniObject *list = list_new(0);
    if (!list)
        return NULL;
    size_t total = 0;
    for (;;) {
        MiniObject *line = f->binary ? read_binary(f, -1, true) : read_text(f, -1, true);
        if (!line) {
            MINI_DECREF(list);
            return NULL;
        }
        size_t len = f->binary ? ((MiniBytes *)line)->size : STR_LEN(line);
        if (len == 0) {
            MINI_DECREF(line);
            f->no_tell = false;
            break;
        }
        int r = list_append(list, line);
        MINI_DECREF(line);
        if (r < 0) {
            MINI_DECREF(list);
            return NULL;
        }
        // CPython stops once the lines read exceed the hint (not when they reach it).
        if (hint > 0 && len > (size_t)hint - total)
            break;
        total += len;
    }
    return list;
}

static MiniObject *file_write(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    MiniFile *f = (MiniFile *)self;
    // CPython's binary readers have no write() of their own: any call is unsupported.
    if (f->binary && !f->writable)
        return raise_unsupported("write");
    if (!mini_no_kwargs("write", kwnames))
        return NULL;
    if (nargs != 1)
        return mini_raise(mini_exc_TypeError, "%s.write() takes exactly one argument (%zu given)",
                          short_name(f), nargs);
    ssize_t n = write_any(f, args[0]);
    return n < 0 ? NULL : int_from_i64(n);
}

static MiniObject *file_writelines(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    MiniFile *f = (MiniFile *)self;
    if (!mini_no_kwargs("writelines", kwnames))
        return NULL;
    if (nargs != 1)
        return mini_raise(mini_exc_TypeError,
                          "%s.writelines() takes exactly one argument (%zu given)",
                          short_name(f), nargs);
    if (f->closed)
        return raise_closed();
    MiniObject *it = mini_iter(args[0]);
    if (!it)
        return NULL;
    MiniObject *item;
    while ((item = mini_next(it))) {
        ssize_t n = write_any(f, item);
        MINI_DECREF(item);
        if (n < 0) {
            MINI_DECREF(it);
            return NULL;
        }
    }
    MINI_DECREF(it);
    if (mini_error_occurred())
        return NULL;
    return MINI_NONE;
}

static MiniObject *file_flush_method(MiniObject *self, MiniObject *const *args, size_t nargs,
                                     MiniObject *kwnames) {
    (void)args;
    MiniFile *f = (MiniFile *)self;
    if (!check_args(f, "flush", nargs, kwnames, 0, 0))
        return NULL;
    return file_flush(self) < 0 ? NULL : MINI_NONE;
}

// Closes the file: flushes, closes the descriptor (when it owns it), frees the buffers.
// Returns 0 or what the flush returned (see flush_wbuf, [handlers] included); never raises by
// itself.
static int close_file(MiniFile *f, bool handlers) {
    if (f->closed)
        return 0;
    int err = flush_wbuf(f, handlers);
    f->closed = true;
    if (f->closefd)
        close(f->fd);
    mini_free(f->wbuf);
    mini_free(f->rbuf);
    f->wbuf = f->rbuf = NULL;
    f->wlen = f->wcap = f->rpos = f->rlen = f->rcap = 0;
    return err;
}

static MiniObject *file_close(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)args;
    MiniFile *f = (MiniFile *)self;
    if (!check_args(f, "close", nargs, kwnames, 0, 0))
        return NULL;
    int err = close_file(f, true);
    return err ? raise_io(err) : MINI_NONE;
}

static MiniObject *file_fileno(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)args;
    MiniFile *f = (MiniFile *)self;
    if (!check_args(f, "fileno", nargs, kwnames, 0, 0))
        return NULL;
    if (f->closed)
        return raise_closed_raw();
    return int_from_i64(f->fd);
}

static MiniObject *file_isatty(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)args;
    MiniFile *f = (MiniFile *)self;
    if (!check_args(f, "isatty", nargs, kwnames, 0, 0))
        return NULL;
    if (f->closed)
        return raise_closed_raw();
    return MINI_BOOL(isatty(f->fd));
}

// readable() and writable(): a closed file without the capability answers False (as CPython
// does, from its buffer layer); with it, the closed error.
static MiniObject *file_readable(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)args;
    MiniFile *f = (MiniFile *)self;
    if (!check_args(f, "readable", nargs, kwnames, 0, 0))
        return NULL;
    if (f->closed && f->readable)
        return raise_closed_raw();
    return MINI_BOOL(f->readable);
}

static MiniObject *file_writable(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)args;
    MiniFile *f = (MiniFile *)self;
    if (!check_args(f, "writable", nargs, kwnames, 0, 0))
        return NULL;
    if (f->closed && f->writable)
        return raise_closed_raw();
    return MINI_BOOL(f->writable);
}

static MiniObject *file_seekable(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)args;
    MiniFile *f = (MiniFile *)self;
    if (!check_args(f, "seekable", nargs, kwnames, 0, 0))
        return NULL;
    if (f->closed)
        return raise_closed_raw();
    return MINI_BOOL(lseek(f->fd, 0, SEEK_CUR) >= 0);
}

// The logical position: the descriptor's, minus what was read ahead, plus what waits to be
// written. -1 with an exception.
static off_t file_position(MiniFile *f) {
    off_t pos = lseek(f->fd, 0, SEEK_CUR);
    if (pos < 0) {
        raise_os(errno);
        return -1;
    }
    return pos - (off_t)(f->rlen - f->rpos) + (off_t)f->wlen;
}

static MiniObject *file_tell(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)args;
    MiniFile *f = (MiniFile *)self;
    if (!check_args(f, "tell", nargs, kwnames, 0, 0))
        return NULL;
    if (f->closed)
        return f->binary ? raise_closed_raw() : raise_closed();
    if (f->no_tell)
        return mini_raise_str(mini_exc_OSError, "telling position disabled by next() call");
    off_t pos = file_position(f);
    return pos < 0 ? NULL : int_from_i64((int64_t)pos);
}

// Moves the descriptor to [pos] (from [whence]) after writing out pending data and forgetting
// the read-ahead. New int (the new position) or NULL.
static MiniObject *seek_to(MiniFile *f, off_t pos, int whence) {
    int err = flush_wbuf(f, true);
    if (err)
        return raise_io(err);
    if (whence == SEEK_CUR)
        pos -= (off_t)(f->rlen - f->rpos); // relative to the logical position
    f->rpos = f->rlen = 0;
    f->no_tell = false;
    off_t r = lseek(f->fd, pos, whence);
    if (r < 0)
        return raise_os(errno);
    return int_from_i64((int64_t)r);
}

// The position argument of seek/truncate as an offset: "'str' object cannot be interpreted as
// an integer", "cannot fit 'int' into an offset-sized integer". False with an exception.
static bool offset_value(MiniObject *o, off_t *out) {
    MiniObject *i = mini_index(o);
    if (!i)
        return false;
    int64_t v;
    bool ok = int_as_i64(i, &v);
    MINI_DECREF(i);
    if (!ok) {
        mini_error_clear();
        mini_raise(mini_exc_ValueError, "cannot fit '%s' into an offset-sized integer",
                   mini_type_name(o));
        return false;
    }
    *out = (off_t)v;
    return true;
}

// seek(offset, whence=0), with the checks of CPython's two layers in their order: the whence
// converts first; a binary file rejects a bad whence before it looks at being closed; a text
// file only seeks to a position tell() gave (compared with 0 as an object, so a position
// that is no number fails with the comparison's message) or to either end, and returns the
// position object it was given.
static MiniObject *file_seek(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    MiniFile *f = (MiniFile *)self;
    if (!check_args(f, "seek", nargs, kwnames, 1, 2))
        return NULL;
    int whence = 0;
    if (nargs > 1) {
        ssize_t w = mini_as_ssize(args[1]);
        if (w == -1 && mini_error_occurred())
            return NULL;
        if (w < INT32_MIN || w > INT32_MAX)
            return mini_raise_str(mini_exc_OverflowError,
                                  "Python int too large to convert to C int");
        whence = (int)w;
    }
    MiniObject *cookie = args[0];
    off_t pos;
    if (f->binary) {
        // SEEK_DATA (3) and SEEK_HOLE (4) go to the system as they are.
        if (whence < 0 || whence > 4)
            return mini_raise(mini_exc_ValueError, "whence value %d unsupported", whence);
        if (f->closed)
            return mini_raise_str(mini_exc_ValueError, "seek of closed file");
        if (!offset_value(cookie, &pos))
            return NULL;
        return seek_to(f, pos, whence);
    }
    if (f->closed)
        return raise_closed();
    MiniObject *zero = MINI_FROM_SMALLINT(0);
    if (whence == SEEK_CUR || whence == SEEK_END) {
        int eq = mini_richcompare_bool(cookie, zero, CMP_EQ);
        if (eq < 0)
            return NULL;
        if (!eq)
            return raise_unsupported(whence == SEEK_CUR ? "can't do nonzero cur-relative seeks"
                                                        : "can't do nonzero end-relative seeks");
        // seek(0, 1) is seek(tell()) in CPython, with tell()'s refusal during iteration.
        if (whence == SEEK_CUR && f->no_tell)
            return mini_raise_str(mini_exc_OSError, "telling position disabled by next() call");
        return seek_to(f, 0, whence);
    }
    if (whence != SEEK_SET)
        return mini_raise(mini_exc_ValueError, "invalid whence (%d, should be 0, 1 or 2)",
                          whence);
    int lt = mini_richcompare_bool(cookie, zero, CMP_LT);
    if (lt < 0)
        return NULL;
    if (lt)
        return mini_raise(mini_exc_ValueError, "negative seek position %R", cookie);
    // The position is read as int(cookie) (a float truncates, as in CPython).
    MiniObject *n = mini_number_int(cookie);
    if (!n)
        return NULL;
    bool ok = offset_value(n, &pos);
    MINI_DECREF(n);
    if (!ok)
        return NULL;
    MiniObject *r = seek_to(f, pos, SEEK_SET);
    if (!r)
        return NULL;
    MINI_DECREF(r);
    return mini_newref(cookie);
}

// truncate(pos=None): the new size, which is [pos] itself when given. Without one, a binary
// file cuts at its logical position, a text file where its buffer stands (after the
// read-ahead and the text written), as CPython's layers do.
static MiniObject *file_truncate(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    MiniFile *f = (MiniFile *)self;
    if (!check_args(f, "truncate", nargs, kwnames, 0, 1))
        return NULL;
    if (f->closed)
        return f->binary ? mini_raise_str(mini_exc_ValueError, "truncate of closed file")
                         : raise_closed();
    if (!f->writable)
        return raise_unsupported("truncate");
    MiniObject *pos_obj = nargs > 0 && args[0] != MINI_NONE ? args[0] : NULL;
    off_t size = 0;
    if (pos_obj && !offset_value(pos_obj, &size))
        return NULL;
    int err = flush_wbuf(f, true);
    if (err)
        return raise_io(err);
    f->no_tell = false; // truncate flushes, which gives tell() back (see file_flush)
    if (!pos_obj) {
        size = f->binary ? file_position(f) : lseek(f->fd, 0, SEEK_CUR);
        if (size < 0)
            return f->binary ? NULL : raise_os(errno);
    }
    // A binary file rewinds to where its reader stopped; a text file keeps its read-ahead,
    // as CPython's TextIOWrapper keeps the characters it decoded.
    if (f->binary && (err = drop_read_buffer(f)))
        return raise_os(err);
    if (ftruncate(f->fd, size) < 0)
        return raise_os(errno);
    return pos_obj ? mini_newref(pos_obj) : int_from_i64((int64_t)size);
}

static MiniObject *file_enter(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)args;
    MiniFile *f = (MiniFile *)self;
    if (!check_args(f, "__enter__", nargs, kwnames, 0, 0))
        return NULL;
    if (f->closed)
        return raise_closed();
    return mini_newref(self);
}

// __exit__(*exc_info): closes the file and lets any exception through (returns None).
static MiniObject *file_exit(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)args;
    (void)nargs;
    (void)kwnames;
    int err = close_file((MiniFile *)self, true);
    return err ? raise_io(err) : MINI_NONE;
}

// iter(f) is f itself, once checked open.
static MiniObject *file_iter(MiniObject *self) {
    if (((MiniFile *)self)->closed)
        return raise_closed();
    return mini_newref(self);
}

// next(f): the next line; NULL without an exception at end of file.
static MiniObject *file_iternext(MiniObject *self) {
    MiniFile *f = (MiniFile *)self;
    if (f->binary && !f->readable)
        return raise_unsupported("read");
    // CPython's text files give up tell() while iterated (their position is a decoder
    // snapshot they stop keeping), until the end of the file or a seek.
    if (!f->binary && !f->closed)
        f->no_tell = true;
    if (f->closed)
        return f->binary ? mini_raise_str(mini_exc_ValueError, "readline of closed file")
                         : raise_closed();
    if (!check_readable(f, "readline"))
        return NULL;
    MiniObject *line = f->binary ? read_binary(f, -1, true) : read_text(f, -1, true);
    if (!line)
        return NULL;
    size_t len = f->binary ? ((MiniBytes *)line)->size : STR_SIZE(line);
    if (len == 0) {
        MINI_DECREF(line);
        f->no_tell = false;
        return NULL;
    }
    return line;
}

// ---------------------------------------------------------------------------------------------
// Attributes, repr, lifecycle, types
// ---------------------------------------------------------------------------------------------

static MiniObject *file_get_closed(MiniObject *self) {
    return MINI_BOOL(((MiniFile *)self)->closed);
}
static MiniObject *file_get_name(MiniObject *self) {
    return mini_newref(((MiniFile *)self)->name);
}
static MiniObject *file_get_mode(MiniObject *self) {
    return mini_newref(((MiniFile *)self)->mode);
}
static MiniObject *file_get_encoding(MiniObject *self) {
    return mini_newref(((MiniFile *)self)->encoding);
}
static MiniObject *file_get_errors(MiniObject *self) {
    return mini_newref(((MiniFile *)self)->errors);
}
static MiniObject *file_get_line_buffering(MiniObject *self) {
    return MINI_BOOL(((MiniFile *)self)->line_buffered);
}
static MiniObject *file_get_closefd(MiniObject *self) {
    return MINI_BOOL(((MiniFile *)self)->closefd);
}

static MiniObject *file_repr(MiniObject *self) {
    MiniFile *f = (MiniFile *)self;
    const char *tname = f->ob.type->name;
    if (f->ob.type == &file_fileio_type) {
        if (f->closed)
            return str_from_format("<%s [closed]>", tname);
        return str_from_format("<%s name=%R mode=%R closefd=%s>", tname, f->name, f->mode,
                               f->closefd ? "True" : "False");
    }
    if (f->binary)
        return str_from_format("<%s name=%R>", tname, f->name);
    return str_from_format("<%s name=%R mode=%R encoding=%R>", tname, f->name, f->mode,
                           f->encoding);
}

// A file that is still open when it dies is flushed and closed, as CPython's finaliser does.
static int file_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    (void)self;
    (void)visit;
    (void)arg;
    return 0; // strs, bytes and ints only: nothing that can close a cycle
}

static void file_dealloc(MiniObject *self) {
    MiniFile *f = (MiniFile *)self;
    close_file(f, false);
    MINI_XDECREF(f->name);
    MINI_XDECREF(f->mode);
    MINI_XDECREF(f->encoding);
    MINI_XDECREF(f->errors);
    pthread_mutex_destroy(&f->lock);
    mini_object_free(self);
}

// The methods that touch the buffers or the descriptor, each run under the stream lock.
#define LOCKED(method)                                                                           \
    static MiniObject *method##_locked(MiniObject *self, MiniObject *const *args, size_t nargs, \
                                       MiniObject *kwnames) {                                   \
        if (!lock_file((MiniFile *)self))                                                        \
            return NULL;                                                                         \
        MiniObject *r = method(self, args, nargs, kwnames);                                      \
        unlock_file((MiniFile *)self);                                                           \
        return r;                                                                                \
    }
LOCKED(file_read)
LOCKED(file_readline_method)
LOCKED(file_readlines)
LOCKED(file_write)
LOCKED(file_writelines)
LOCKED(file_flush_method)
LOCKED(file_close)
LOCKED(file_seek)
LOCKED(file_tell)
LOCKED(file_truncate)
LOCKED(file_exit)
#undef LOCKED

static MiniObject *file_iternext_locked(MiniObject *self) {
    if (!lock_file((MiniFile *)self))
        return NULL;
    MiniObject *r = file_iternext(self);
    unlock_file((MiniFile *)self);
    return r;
}

static const MiniMethodDef file_methods[] = {
    {"read", file_read_locked, 0, "Read at most size characters (or bytes), all when negative."},
    {"readline", file_readline_method_locked, 0, "Read until a line end or EOF."},
    {"readlines", file_readlines_locked, 0, "Return a list of lines from the stream."},
    {"write", file_write_locked, 0, "Write a string (or bytes) and return its length."},
    {"writelines", file_writelines_locked, 0, "Write an iterable of strings (or bytes)."},
    {"flush", file_flush_method_locked, 0, "Write out the buffered data."},
    {"close", file_close_locked, 0, "Flush and close the file."},
    {"fileno", file_fileno, 0, "Return the underlying file descriptor."},
    {"isatty", file_isatty, 0, "True if the file is connected to a terminal."},
    {"readable", file_readable, 0, "True if the file was opened for reading."},
    {"writable", file_writable, 0, "True if the file was opened for writing."},
    {"seekable", file_seekable, 0, "True if the file supports random access."},
    {"seek", file_seek_locked, 0, "Change the stream position and return the new one."},
    {"tell", file_tell_locked, 0, "Return the current stream position."},
    {"truncate", file_truncate_locked, 0, "Truncate the file to at most size bytes."},
    {"__enter__", file_enter, 0, NULL},
    {"__exit__", file_exit_locked, 0, NULL},
    {NULL, NULL, 0, NULL},
};

static const MiniGetSetDef text_getset[] = {
    {"closed", file_get_closed, NULL, NULL},
    {"name", file_get_name, NULL, NULL},
    {"mode", file_get_mode, NULL, NULL},
    {"encoding", file_get_encoding, NULL, "Encoding of the text stream."},
    {"errors", file_get_errors, NULL, "The error setting of the decoder or encoder."},
    {"line_buffering", file_get_line_buffering, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

static const MiniGetSetDef binary_getset[] = {
    {"closed", file_get_closed, NULL, NULL},
    {"name", file_get_name, NULL, NULL},
    {"mode", file_get_mode, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

static const MiniGetSetDef fileio_getset[] = {
    {"closed", file_get_closed, NULL, NULL},
    {"name", file_get_name, NULL, NULL},
    {"mode", file_get_mode, NULL, NULL},
    {"closefd", file_get_closefd, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

#define FILE_TYPE(cname, tpname, getsets, docstr)                                                \
    static MiniType cname = {                                                                    \
        .ob = {MINI_IMMORTAL, &mini_type_type},                                                  \
        .name = tpname,                                                                          \
        .basicsize = sizeof(MiniFile),                                                           \
        .flags = MINI_TPFLAG_GC,                                                                 \
        .dealloc = file_dealloc,                                                                 \
        .traverse = file_traverse,                                                               \
        .repr = file_repr,                                                                       \
        .iter = file_iter,                                                                       \
        .iternext = file_iternext_locked,                                                        \
        .methods = file_methods,                                                                 \
        .getset = getsets,                                                                       \
        .doc = docstr,                                                                           \
    };

FILE_TYPE(file_text_type, "_io.TextIOWrapper", text_getset,
          "Character and line based layer over a file descriptor.")
FILE_TYPE(file_reader_type, "_io.BufferedReader", binary_getset,
          "Buffered reader of bytes from a file descriptor.")
FILE_TYPE(file_writer_type, "_io.BufferedWriter", binary_getset,
          "Buffered writer of bytes to a file descriptor.")
FILE_TYPE(file_random_type, "_io.BufferedRandom", binary_getset,
          "Buffered reader and writer of bytes over a seekable file descriptor.")
FILE_TYPE(file_fileio_type, "_io.FileIO", fileio_getset,
          "Unbuffered raw I/O of bytes over a file descriptor.")

#undef FILE_TYPE
