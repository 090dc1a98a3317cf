// mini_freeze.c - the build's freezer: compiles the standard modules written in mini/Python
// (stdlib/lib) with mini's own compiler and writes them, serialized (vm/marshal.c), as the C
// table mini_frozen_modules that vm/import.c loads them from.
//
//     mini-freeze OUTPUT.c DEPFILE LIBDIR
//
// Each LIBDIR/**/*.py becomes one entry {name, code, size, is_package}: LIBDIR/string.py is
// the module "string", LIBDIR/pkg/__init__.py the package "pkg" and LIBDIR/pkg/sub.py the
// module "pkg.sub". Each is compiled with the file name "<frozen NAME>", as tracebacks show
// it. A module that does not compile fails the build with its SyntaxError. DEPFILE (a
// Makefile-style dependency file for ninja) names every file read and every folder walked,
// so that editing, adding or removing a module rebuilds the table with nothing listed by hand
// in meson.build; the tool itself is a dependency of the table too (meson adds it), so a
// change to the compiler or the opcode list refreezes every module.
//
// The tool links the interpreter's core library, which has no frozen table of its own (it is
// what this tool makes), so it brings an empty one.

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compiler/compiler.h"
#include "vm/marshal.h"
#include "vm/vm.h"

// The core library's import code refers to the table; the tool's own is empty.
const FrozenModule mini_frozen_modules[] = {{NULL, NULL, 0, false}};

// A growable array of malloc'd strings.
typedef struct {
    char **items;
    size_t count, cap;
} StrList;

static void die(const char *msg, const char *what) {
    fprintf(stderr, "mini-freeze: %s%s%s\n", msg, what ? ": " : "", what ? what : "");
    exit(1);
}

static void push(StrList *l, char *s) {
    if (!s)
        die("out of memory", NULL);
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->items = realloc(l->items, l->cap * sizeof(char *));
        if (!l->items)
            die("out of memory", NULL);
    }
    l->items[l->count++] = s;
}

static char *join(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

// Adds every module file under [dir] to [files] and every folder walked to [dirs], in
// sorted order, skipping hidden entries and __pycache__.
static void walk(const char *dir, StrList *files, StrList *dirs) {
    push(dirs, strdup(dir));
    DIR *d = opendir(dir);
    if (!d)
        die(strerror(errno), dir);
    StrList names = {0};
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "__pycache__") == 0)
            continue;
        push(&names, strdup(e->d_name));
    }
    closedir(d);
    qsort(names.items, names.count, sizeof(char *), compare_names);
    for (size_t i = 0; i < names.count; i++) {
        char *path = join(dir, names.items[i]);
        struct stat st;
        if (!path || stat(path, &st) < 0)
            die(strerror(errno), path);
        size_t len = strlen(names.items[i]);
        if (S_ISDIR(st.st_mode)) {
            walk(path, files, dirs);
            free(path);
        } else if (len > 3 && strcmp(names.items[i] + len - 3, ".py") == 0) {
            push(files, path);
        } else {
            free(path);
        }
        free(names.items[i]);
    }
    free(names.items);
}

// One module to freeze: its dotted name, whether it is a package, and its file.
typedef struct {
    char *name;
    bool is_package;
    const char *path;
} LibModule;

static int compare_modules(const void *a, const void *b) {
    const LibModule *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (int)x->is_package - (int)y->is_package;
}

// The module of [path] under [libdir]: "pkg/sub.py" is "pkg.sub", "pkg/__init__.py" the
// package "pkg".
static LibModule module_of(const char *libdir, const char *path) {
    const char *rel = path + strlen(libdir) + 1;
    size_t n = strlen(rel) - 3; // without ".py"
    char *name = malloc(n + 1);
    if (!name)
        die("out of memory", NULL);
    memcpy(name, rel, n);
    name[n] = '\0';
    for (char *p = name; *p; p++)
        if (*p == '/')
            *p = '.';
    bool pkg = false;
    size_t k = strlen("__init__");
    if (n >= k && strcmp(name + n - k, "__init__") == 0 && (n == k || name[n - k - 1] == '.')) {
        pkg = true;
        name[n == k ? 0 : n - k - 1] = '\0';
    }
    return (LibModule){name, pkg, path};
}

static char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f)
        die(strerror(errno), path);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (size_t k; buf && (k = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += k;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    if (!buf || ferror(f))
        die("cannot read", path);
    fclose(f);
    *size = n;
    return buf;
}

// Writes [p] for a Makefile rule: spaces, '#' and '$' escaped as ninja reads them.
static void write_dep_path(FILE *f, const char *p) {
    for (; *p; p++) {
        if (*p == ' ' || *p == '#' || *p == '\\')
            fputc('\\', f);
        if (*p == '$')
            fputc('$', f);
        fputc(*p, f);
    }
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: mini-freeze OUTPUT.c DEPFILE LIBDIR\n");
        return 2;
    }
    const char *out_path = argv[1], *dep_path = argv[2];
    char *libdir = realpath(argv[3], NULL);
    if (!libdir)
        die(strerror(errno), argv[3]);
    StrList files = {0}, dirs = {0};
    walk(libdir, &files, &dirs);
    LibModule *mods = calloc(files.count ? files.count : 1, sizeof(LibModule));
    if (!mods)
        die("out of memory", NULL);
    for (size_t i = 0; i < files.count; i++)
        mods[i] = module_of(libdir, files.items[i]);
    qsort(mods, files.count, sizeof(LibModule), compare_modules);

    char *vm_argv[] = {"mini-freeze", NULL};
    VM *vm = vm_new(1, vm_argv);
    if (!vm)
        die("cannot start the interpreter", NULL);
    FILE *out = fopen(out_path, "w");
    if (!out)
        die(strerror(errno), out_path);
    fprintf(out, "// Generated by tools/mini_freeze.c from stdlib/lib: do not edit.\n"
                 "//\n"
                 "// Each module's code object, serialized by vm/marshal.c (marshal_dump_code).\n"
                 "\n"
                 "#include \"vm/vm.h\"\n"
                 "\n"
                 "// The blobs hold opcode numbers: a stale file must not compile.\n"
                 "_Static_assert(OP__COUNT == %d, \"frozen_modules.c is stale: rebuild it\");\n"
                 "\n",
            (int)OP__COUNT);
    int status = 0;
    for (size_t i = 0; i < files.count && status == 0; i++) {
        size_t size;
        char *src = read_file(mods[i].path, &size);
        char filename[512];
        snprintf(filename, sizeof filename, "<frozen %s>", mods[i].name);
        CodeObject *co = compile_source(src, size, filename, MODE_EXEC);
        MiniObject *blob = co ? marshal_dump_code(co) : NULL;
        free(src);
        if (!blob) {
            // The SyntaxError as the interpreter would print it, then which file it was.
            mini_handle_uncaught();
            fprintf(stderr, "mini-freeze: cannot freeze %s\n", mods[i].path);
            status = 1;
            break;
        }
        const uint8_t *data = (const uint8_t *)((MiniBytes *)blob)->data;
        size_t n = ((MiniBytes *)blob)->size;
        fprintf(out, "// %s: %s (%zu bytes of source)\n", mods[i].name,
                mods[i].path + strlen(libdir) + 1, size);
        fprintf(out, "static const unsigned char frozen_%zu[] = {", i);
        for (size_t k = 0; k < n; k++)
            fprintf(out, "%s%u,", k % 20 ? "" : "\n    ", data[k]);
        fprintf(out, "\n};\n\n");
        MINI_DECREF(blob);
    }
    if (status == 0) {
        fprintf(out, "const FrozenModule mini_frozen_modules[] = {\n");
        for (size_t i = 0; i < files.count; i++)
            fprintf(out, "    {\"%s\", frozen_%zu, sizeof frozen_%zu, %s},\n", mods[i].name, i, i,
                    mods[i].is_package ? "true" : "false");
        fprintf(out, "    {NULL, NULL, 0, false},\n};\n");
    }
    if (fclose(out) != 0 && status == 0)
        die(strerror(errno), out_path);
    if (status != 0) {
        remove(out_path);
    } else {
        FILE *dep = fopen(dep_path, "w");
        if (!dep)
            die(strerror(errno), dep_path);
        write_dep_path(dep, out_path);
        fputs(":", dep);
        for (size_t i = 0; i < dirs.count; i++) {
            fputc(' ', dep);
            write_dep_path(dep, dirs.items[i]);
        }
        for (size_t i = 0; i < files.count; i++) {
            fputc(' ', dep);
            write_dep_path(dep, files.items[i]);
        }
        fputc('\n', dep);
        if (fclose(dep) != 0)
            die(strerror(errno), dep_path);
    }
    vm_free(vm);
    for (size_t i = 0; i < files.count; i++) {
        free(mods[i].name);
        free(files.items[i]);
    }
    for (size_t i = 0; i < dirs.count; i++)
        free(dirs.items[i]);
    free(mods);
    free(files.items);
    free(dirs.items);
    free(libdir);
    return status;
}
