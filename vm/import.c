// import.c - the import system: what builtins.__import__ does, following CPython's
// importlib._bootstrap (_gcd_import, _find_and_load, _handle_fromlist, _calc___package__).
//
// A module name is looked for, in order, in sys.modules, among the modules written in C
// (stdlib/modules.c), among the frozen modules (stdlib/lib/**/*.py, compiled at build time by
// tools/mini_freeze.c and embedded as serialized code objects, vm/marshal.c), and finally as
// a file in the directories of sys.path (for a top-level name) or of the parent package's
// __path__ (for a submodule). In a directory D, the name X is the package D/X/ when that
// directory holds __init__.mini or __init__.py, else the module file D/X.mini or D/X.py.
//
// A module goes into sys.modules before its code runs, so that a circular import finds the
// partly initialised module instead of loading it again; if its code fails, it is taken out
// again and the error propagates.

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../compiler/compiler.h"
#include "../include/mini.h"
#include "../stdlib/stdlib.h"
#include "marshal.h"
#include "vm.h"

// The file name endings of module source files, in the order they are tried.
static const char *const source_suffixes[] = {".mini", ".py", NULL};

// Raises ModuleNotFoundError with message [msg] (a new str, consumed) and its name attribute
// set to [name], as CPython does. Always NULL.
static MiniObject *raise_not_found(MiniObject *msg, MiniObject *name) {
    if (!msg)
        return NULL;
    MiniObject *args = tuple_pack(1, msg);
    MINI_DECREF(msg);
    if (!args)
        return NULL;
    MiniObject *exc = exception_new(mini_exc_ModuleNotFoundError, args);
    MINI_DECREF(args);
    if (!exc)
        return NULL;
    if (mini_setattr(exc, MINI_ID(name), name) < 0)
        mini_error_clear();
    mini_error_restore(exc);
    return NULL;
}

// The part of dotted [name] before its last dot ("" when there is none). New str.
static MiniObject *parent_name(MiniObject *name) {
    const char *data = STR_DATA(name);
    const char *dot = memrchr(data, '.', STR_SIZE(name));
    return str_new(data, dot ? (size_t)(dot - data) : 0);
}

// A malloc'd "[dir]/[tail][suffix]". A relative [dir] ('' and '.' being the current
// directory itself) is put under the current directory, so that __file__ is an absolute path
// as in CPython. NULL with MemoryError.
static char *join_path(const char *dir, const char *tail, const char *suffix) {
    char *cwd = NULL;
    const char *sep = "/";
    if (dir[0] != '/') {
        cwd = getcwd(NULL, 0);
        if (!cwd)
            cwd = strdup(".");
        if (!cwd) {
            mini_raise_memory();
            return NULL;
        }
        if (strcmp(dir, "") == 0 || strcmp(dir, ".") == 0)
            dir = "", sep = "";
    }
    // Trailing slashes of [dir] are dropped ("/a/b/" names the same folder as "/a/b").
    size_t dlen = strlen(dir);
    while (dlen > 0 && dir[dlen - 1] == '/')
        dlen--;
    size_t n = (cwd ? strlen(cwd) + 1 : 0) + dlen + 1 + strlen(tail) + strlen(suffix) + 1;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s%s%.*s/%s%s", cwd ? cwd : "", cwd ? sep : "", (int)dlen, dir, tail,
                 suffix);
    else
        mini_raise_memory();
    free(cwd);
    return p;
}

static bool is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

// Takes [name] out of sys.modules after its code failed, keeping the pending exception.
static void forget_module(MiniObject *name) {
    MiniObject *exc = mini_error_fetch();
    MiniObject *modules = mini_ts->vm->modules;
    if (dict_get(modules, name) && dict_del(modules, name) < 0)
        mini_error_clear();
    mini_error_clear();
    if (exc)
        mini_error_restore(exc);
}

// Creates module [name], registers it in sys.modules and runs its code in it: the code of the
// frozen module [frozen] (deserialized), or else [src] compiled. [filename] names the source
// in tracebacks; [file] is its __file__ (NULL: none, for frozen modules); [pkgdir] is the
// directory of a package (its __path__), NULL for a plain module. New reference to what
// sys.modules holds for [name] afterwards (a module may replace itself there), or NULL.
static MiniObject *exec_module(MiniObject *name, const FrozenModule *frozen, const char *src,
                               size_t len, const char *filename, MiniObject *file,
                               MiniObject *pkgdir) {
    VM *vm = mini_ts->vm;
    bool frozen_package = frozen && frozen->is_package;
    MiniObject *mod = module_new(name);
    if (!mod)
        return NULL;
    MiniObject *d = ((MiniModule *)mod)->dict;
    bool is_package = pkgdir || frozen_package;
    MiniObject *package = is_package ? mini_newref(name) : parent_name(name);
    if (!package || dict_set(d, MINI_ID(__package__), package) < 0) {
        MINI_XDECREF(package);
        MINI_DECREF(mod);
        return NULL;
    }
    MINI_DECREF(package);
    if (is_package) {
        // A frozen package has an empty __path__: its submodules are frozen too.
        MiniObject *path = pkgdir ? list_from_array(&pkgdir, 1) : list_new(0);
        int r = path ? dict_set(d, MINI_ID(__path__), path) : -1;
        MINI_XDECREF(path);
        if (r < 0) {
            MINI_DECREF(mod);
            return NULL;
        }
    }
    if ((file && dict_set(d, MINI_ID(__file__), file) < 0) ||
        dict_set(d, MINI_ID(__builtins__), vm->builtins_module) < 0 ||
        dict_set(vm->modules, name, mod) < 0) {
        MINI_DECREF(mod);
        return NULL;
    }
    CodeObject *code = frozen ? marshal_load_code(frozen->code, frozen->size)
                              : compile_source(src, len, filename, MODE_EXEC);
    ((MiniModule *)mod)->initializing = mini_ts->ident;
    MiniObject *res = code ? eval_code(code, d, d) : NULL;
    ((MiniModule *)mod)->initializing = 0;
    if (!res) {
        forget_module(name);
        MINI_DECREF(mod);
        return NULL;
    }
    MINI_DECREF(res);
    MINI_DECREF(mod);
    MiniObject *final = dict_get(vm->modules, name);
    if (!final) {
        if (!mini_error_occurred())
            mini_raise(mini_exc_ImportError, "Loaded module %R not found in sys.modules", name);
        return NULL;
    }
    return mini_newref(final);
}

// The frozen module [name], or NULL (no exception) when there is none.
static const FrozenModule *find_frozen(MiniObject *name) {
    for (const FrozenModule *m = mini_frozen_modules; m->name; m++)
        if (strlen(m->name) == STR_SIZE(name) && memcmp(m->name, STR_DATA(name), STR_SIZE(name)) == 0)
            return m;
    return NULL;
}

// Runs the frozen module [fm] as module [name]: its code was compiled when mini was built
// (tools/mini_freeze.c, with the file name "<frozen NAME>"). New reference or NULL.
static MiniObject *load_frozen(MiniObject *name, const FrozenModule *fm) {
    return exec_module(name, fm, NULL, 0, NULL, NULL, NULL);
}

// Reads and runs the source file [path] as module [name]. New reference or NULL.
static MiniObject *load_file(MiniObject *name, const char *path, MiniObject *pkgdir) {
    size_t len;
    char *src = mini_read_file(path, &len);
    MiniObject *file = str_decode_utf8(path, strlen(path));
    if (!src || !file) {
        if (!src && file)
            mini_raise_errno(errno, file);
        free(src);
        MINI_XDECREF(file);
        return NULL;
    }
    MiniObject *mod = exec_module(name, NULL, src, len, path, file, pkgdir);
    free(src);
    MINI_DECREF(file);
    return mod;
}

// Looks for [tail] (the last part of module [name]) in the directories of [paths] (a list;
// entries that are not str are skipped) and loads it. New reference; NULL with no exception
// when it is in none of them.
// A namespace package (PEP 420): a module with no code and no __file__, whose __path__ lists
// [dirs], the directories of that name on the path. Registered in sys.modules. New reference
// or NULL.
static MiniObject *namespace_package(MiniObject *name, MiniObject *dirs) {
    MiniObject *mod = module_new(name);
    if (!mod)
        return NULL;
    MiniObject *d = ((MiniModule *)mod)->dict;
    if (dict_set(d, MINI_ID(__file__), MINI_NONE) < 0 || dict_set(d, MINI_ID(__path__), dirs) < 0 ||
        dict_set(d, MINI_ID(__package__), name) < 0 ||
        dict_set(mini_ts->vm->modules, name, mod) < 0) {
        MINI_DECREF(mod);
        return NULL;
    }
    return mod;
}

static MiniObject *find_in_path(MiniObject *name, const char *tail, MiniObject *paths) {
    if (!paths || !list_check(paths))
        return NULL;
    // Directories named [tail] with no __init__ file: if no module or package is found
    // anywhere on the path, together they make a namespace package (PEP 420).
    MiniObject *ns_dirs = NULL;
    for (size_t i = 0; i < LIST_SIZE(paths); i++) {
        MiniObject *entry = LIST_GET(paths, i);
        if (!str_check(entry))
            continue;
        MINI_INCREF(entry); // the list may change while a module runs
        const char *dir = STR_DATA(entry);
        MiniObject *mod = NULL;
        bool found = false;
        // A package: a directory with an __init__ file.
        char *pkg = join_path(dir, tail, "");
        if (!pkg) {
            MINI_DECREF(entry);
            return NULL;
        }
        bool dir_found = is_dir(pkg);
        if (dir_found) {
            for (const char *const *s = source_suffixes; *s && !found; s++) {
                char *init = join_path(pkg, "__init__", *s);
                if (!init) {
                    free(pkg);
                    MINI_DECREF(entry);
                    return NULL;
                }
                if (is_file(init)) {
                    found = true;
                    MiniObject *pkgdir = str_decode_utf8(pkg, strlen(pkg));
                    mod = pkgdir ? load_file(name, init, pkgdir) : NULL;
                    MINI_XDECREF(pkgdir);
                }
                free(init);
            }
        }
        if (dir_found && !found) {
            MiniObject *d = str_decode_utf8(pkg, strlen(pkg));
            if (!ns_dirs)
                ns_dirs = list_new(0);
            if (!d || !ns_dirs || list_append(ns_dirs, d) < 0) {
                MINI_XDECREF(d);
                MINI_XDECREF(ns_dirs);
                free(pkg);
                MINI_DECREF(entry);
                return NULL;
            }
            MINI_DECREF(d);
        }
        free(pkg);
        // A module file.
        for (const char *const *s = source_suffixes; *s && !found; s++) {
            char *file = join_path(dir, tail, *s);
            if (!file) {
                MINI_XDECREF(ns_dirs);
                MINI_DECREF(entry);
                return NULL;
            }
            if (is_file(file)) {
                found = true;
                mod = load_file(name, file, NULL);
            }
            free(file);
        }
        MINI_DECREF(entry);
        if (found) {
            MINI_XDECREF(ns_dirs);
            return mod;
        }
    }
    if (!ns_dirs)
        return NULL;
    MiniObject *mod = namespace_package(name, ns_dirs);
    MINI_DECREF(ns_dirs);
    return mod;
}

// The thread state of the thread [ident], or NULL if it has finished.
static ThreadState *thread_by_ident(VM *vm, unsigned long ident) {
    for (ThreadState *t = vm->threads; t; t = t->next)
        if (t->ident == ident)
            return t;
    return NULL;
}

// Another thread is running the body of module [mod]: wait until it has finished, as
// CPython's per-module import locks make a thread wait, so that no thread sees a half-made
// module. Two threads importing each other's module would wait forever: as in CPython, a
// thread whose wait would close such a cycle takes the partial module instead. [mod] stays
// referenced by the caller.
static void wait_for_module(ThreadState *ts, MiniObject *mod) {
    MiniModule *m = (MiniModule *)mod;
    ts->importing_wait = mod;
    while (m->initializing && m->initializing != ts->ident) {
        ThreadState *other = thread_by_ident(ts->vm, m->initializing);
        if (!other)
            break; // the importing thread died (fork, or its state was lost)
        // A cycle: the importer waits (maybe through others) for a module this thread runs.
        bool cycle = false;
        for (int hops = 0; other && other->importing_wait && hops < 64; hops++) {
            unsigned long owner = ((MiniModule *)other->importing_wait)->initializing;
            if (owner == ts->ident) {
                cycle = true;
                break;
            }
            other = owner ? thread_by_ident(ts->vm, owner) : NULL;
        }
        if (cycle)
            break;
        // The importing thread needs the GIL to finish: give it up for a moment.
        MINI_BEGIN_ALLOW_THREADS
        struct timespec pause = {0, 100000};
        nanosleep(&pause, NULL);
        MINI_END_ALLOW_THREADS
    }
    ts->importing_wait = NULL;
}

// Imports the module of absolute dotted [name] (its parents first) and returns it.
// New reference or NULL.
static MiniObject *find_and_load(MiniObject *name) {
    VM *vm = mini_ts->vm;
    MiniObject *mod = dict_get(vm->modules, name);
    if (mod) {
        if (mod == MINI_NONE) {
            MiniObject *msg = str_from_format("import of %U halted; None in sys.modules", name);
            return raise_not_found(msg, name);
        }
        MINI_INCREF(mod);
        if (module_is_initializing(mod) && ((MiniModule *)mod)->initializing != mini_ts->ident)
            wait_for_module(mini_ts, mod);
        return mod;
    }
    if (mini_error_occurred())
        return NULL;

    const char *data = STR_DATA(name);
    const char *dot = memrchr(data, '.', STR_SIZE(name));
    const char *tail = dot ? dot + 1 : data;
    MiniObject *parent = NULL, *parent_mod = NULL, *paths = NULL;
    if (dot) {
        // A submodule: import its parent first, then look in the parent's __path__.
        parent = str_new(data, (size_t)(dot - data));
        if (!parent)
            return NULL;
        parent_mod = find_and_load(parent);
        if (!parent_mod) {
            MINI_DECREF(parent);
            return NULL;
        }
        // Importing the parent may have imported this module as well.
        mod = dict_get(vm->modules, name);
        if (mod) {
            MINI_DECREF(parent);
            MINI_DECREF(parent_mod);
            return mini_newref(mod);
        }
        paths = mini_getattr_opt(parent_mod, MINI_ID(__path__));
        if (!paths) {
            if (!mini_error_occurred())
                raise_not_found(str_from_format("No module named %R; %R is not a package", name,
                                                parent),
                                name);
            MINI_DECREF(parent);
            MINI_DECREF(parent_mod);
            return NULL;
        }
    }

    // The modules written in C, then the frozen ones, then the files of the path.
    if (!dot)
        if ((mod = stdlib_import_builtin(name)) != NULL)
            MINI_INCREF(mod);
    if (!mod && !mini_error_occurred()) {
        const FrozenModule *fm = find_frozen(name);
        if (fm) {
            mod = load_frozen(name, fm);
        } else {
            if (!dot)
                paths = mini_getattr_opt(vm->sys_module, mini_intern("path"));
            if (!mini_error_occurred())
                mod = find_in_path(name, tail, paths);
            if (!mod && !mini_error_occurred())
                raise_not_found(str_from_format("No module named %R", name), name);
        }
    }
    MINI_XDECREF(paths);

    // A submodule becomes an attribute of its parent (failing to set it is not an error).
    if (mod && parent_mod) {
        MiniObject *t = str_new(tail, STR_SIZE(name) - (size_t)(tail - data));
        if (!t || mini_setattr(parent_mod, t, mod) < 0)
            mini_error_clear();
        MINI_XDECREF(t);
    }
    MINI_XDECREF(parent);
    MINI_XDECREF(parent_mod);
    return mod;
}

MiniObject *import_module(MiniObject *name) {
    if (!str_check(name))
        return mini_raise_str(mini_exc_TypeError, "module name must be a string");
    if (STR_SIZE(name) == 0)
        return mini_raise_str(mini_exc_ValueError, "Empty module name");
    return find_and_load(name);
}

// The absolute name of a relative import of [name] at [level] (> 0) from the module whose
// namespace is [globals], as CPython's resolve_name computes it. New str or NULL.
static MiniObject *resolve_name(MiniObject *name, MiniObject *globals, ssize_t level) {
    if (!globals || globals == MINI_NONE)
        return mini_raise_str(mini_exc_KeyError, "'__name__' not in globals");
    if (!dict_check(globals))
        return mini_raise_str(mini_exc_TypeError, "globals must be a dict");
    MiniObject *package = dict_get(globals, MINI_ID(__package__));
    if (package == MINI_NONE)
        package = NULL;
    if (package) {
        if (!str_check(package))
            return mini_raise_str(mini_exc_TypeError, "package must be a string");
        MINI_INCREF(package);
    } else {
        if (mini_error_occurred())
            return NULL;
        // No __package__: a package's own name, or the parent of a module's name.
        MiniObject *modname = dict_get(globals, MINI_ID(__name__));
        if (!modname)
            return mini_error_occurred()
                       ? NULL
                       : mini_raise_str(mini_exc_KeyError, "'__name__' not in globals");
        if (!str_check(modname))
            return mini_raise_str(mini_exc_TypeError, "__name__ must be a string");
        if (dict_get(globals, MINI_ID(__path__)))
            package = mini_newref(modname);
        else if (!mini_error_occurred())
            package = parent_name(modname);
        if (!package)
            return NULL;
    }
    if (STR_SIZE(package) == 0) {
        MINI_DECREF(package);
        return mini_raise_str(mini_exc_ImportError,
                              "attempted relative import with no known parent package");
    }
    // Each level above the first drops one trailing part of the package name.
    const char *data = STR_DATA(package);
    size_t end = STR_SIZE(package);
    for (ssize_t up = 1; up < level; up++) {
        const char *dot = memrchr(data, '.', end);
        if (!dot) {
            MINI_DECREF(package);
            return mini_raise_str(mini_exc_ImportError,
                                  "attempted relative import beyond top-level package");
        }
        end = (size_t)(dot - data);
    }
    MiniObject *base = str_new(data, end);
    MINI_DECREF(package);
    if (!base || STR_SIZE(name) == 0)
        return base;
    MiniObject *full = str_from_format("%U.%U", base, name);
    MINI_DECREF(base);
    return full;
}

// CPython's _handle_fromlist: for `from package import x`, imports the submodule package.x
// when the package has no attribute x; `*` does this for each name of the package's __all__.
// [recursive] is set while walking __all__. False with an exception.
static bool handle_fromlist(MiniObject *mod, MiniObject *fromlist, bool recursive) {
    MiniObject *items = mini_sequence_list(fromlist);
    if (!items)
        return false;
    bool ok = true;
    for (size_t i = 0; ok && i < LIST_SIZE(items); i++) {
        MiniObject *x = LIST_GET(items, i);
        if (!str_check(x)) {
            if (recursive) {
                MiniObject *modname = mini_getattr(mod, MINI_ID(__name__));
                if (modname)
                    mini_raise(mini_exc_TypeError, "Item in %S.__all__ must be str, not %s",
                               modname, mini_type_name(x));
                MINI_XDECREF(modname);
            } else {
                mini_raise(mini_exc_TypeError, "Item in ``from list'' must be str, not %s",
                           mini_type_name(x));
            }
            ok = false;
            break;
        }
        if (STR_SIZE(x) == 1 && STR_DATA(x)[0] == '*') {
            if (recursive)
                continue;
            MiniObject *all = mini_getattr_opt(mod, MINI_ID(__all__));
            if (all) {
                ok = handle_fromlist(mod, all, true);
                MINI_DECREF(all);
            } else if (mini_error_occurred()) {
                ok = false;
            }
            continue;
        }
        MiniObject *attr = mini_getattr_opt(mod, x);
        if (attr || mini_error_occurred()) {
            MINI_XDECREF(attr);
            ok = attr != NULL;
            continue;
        }
        MiniObject *modname = mini_getattr(mod, MINI_ID(__name__));
        if (!modname) {
            ok = false;
            break;
        }
        MiniObject *from_name = str_from_format("%S.%U", modname, x);
        MINI_DECREF(modname);
        if (!from_name) {
            ok = false;
            break;
        }
        MiniObject *sub = find_and_load(from_name);
        if (sub) {
            MINI_DECREF(sub);
        } else if (mini_error_matches(mini_exc_ModuleNotFoundError)) {
            // A missing submodule is no error here: IMPORT_FROM then reports the missing
            // name. Any other failure (one inside the submodule) propagates.
            MiniObject *exc = mini_error_fetch();
            MiniObject *exc_name = mini_getattr_opt(exc, MINI_ID(name));
            mini_error_clear();
            bool same = exc_name && str_check(exc_name) && str_eq(exc_name, from_name);
            MINI_XDECREF(exc_name);
            if (same && dict_get(mini_ts->vm->modules, from_name) != MINI_NONE) {
                MINI_DECREF(exc);
                mini_error_clear();
            } else {
                mini_error_restore(exc);
                ok = false;
            }
        } else {
            ok = false;
        }
        MINI_DECREF(from_name);
    }
    MINI_DECREF(items);
    return ok;
}

MiniObject *import_module_level(MiniObject *name, MiniObject *globals, MiniObject *fromlist,
                                ssize_t level) {
    if (!str_check(name))
        return mini_raise_str(mini_exc_TypeError, "module name must be a string");
    if (level < 0)
        return mini_raise_str(mini_exc_ValueError, "level must be >= 0");
    MiniObject *abs_name;
    if (level > 0) {
        abs_name = resolve_name(name, globals, level);
        if (!abs_name)
            return NULL;
    } else {
        if (STR_SIZE(name) == 0)
            return mini_raise_str(mini_exc_ValueError, "Empty module name");
        abs_name = mini_newref(name);
    }
    if (!mini_ts->vm->modules) {
        MINI_DECREF(abs_name);
        return mini_raise_str(mini_exc_RuntimeError, "lost sys.modules");
    }
    MiniObject *mod = find_and_load(abs_name);
    if (!mod) {
        MINI_DECREF(abs_name);
        return NULL;
    }
    int has_from = 0;
    if (fromlist && fromlist != MINI_NONE && (has_from = mini_truthy(fromlist)) < 0) {
        MINI_DECREF(abs_name);
        MINI_DECREF(mod);
        return NULL;
    }
    MiniObject *result = NULL;
    if (has_from) {
        // `from package import x`: x may be a submodule still to import.
        MiniObject *path = mini_getattr_opt(mod, MINI_ID(__path__));
        if (path) {
            MINI_DECREF(path);
            if (handle_fromlist(mod, fromlist, false))
                result = mini_newref(mod);
        } else if (!mini_error_occurred()) {
            result = mini_newref(mod);
        }
    } else {
        // `import a.b.c` binds a: the module named by the first part of [name].
        const char *dot = memchr(STR_DATA(name), '.', STR_SIZE(name));
        if (!dot || (level > 0 && STR_SIZE(name) == 0)) {
            result = mini_newref(mod);
        } else if (level == 0) {
            MiniObject *front = str_new(STR_DATA(name), (size_t)(dot - STR_DATA(name)));
            result = front ? find_and_load(front) : NULL;
            MINI_XDECREF(front);
        } else {
            size_t cut_off = STR_SIZE(name) - (size_t)(dot - STR_DATA(name));
            MiniObject *to_return = str_new(STR_DATA(abs_name), STR_SIZE(abs_name) - cut_off);
            if (to_return) {
                result = dict_get(mini_ts->vm->modules, to_return);
                if (result)
                    MINI_INCREF(result);
                else if (!mini_error_occurred())
                    mini_raise(mini_exc_KeyError, "%R not in sys.modules as expected", to_return);
                MINI_DECREF(to_return);
            }
        }
    }
    MINI_DECREF(abs_name);
    MINI_DECREF(mod);
    return result;
}
