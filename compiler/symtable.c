// symtable.c - the symbol table's two passes: collecting how each block uses its names, then
// resolving every name to a binding (see symtable.h for the design).
//
// The code follows CPython 3.11's Python/symtable.c closely, function for function, so that
// scoping corner cases (class bodies, comprehensions, assignment expressions, `super`) and the
// SyntaxErrors come out the same. CPython's sets of names are dicts here (name -> None),
// because dicts can drop a key.

#include "symtable.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// CPython's wording of the symbol table's errors.
#define DUPLICATE_ARGUMENT "duplicate argument '%s' in function definition"
#define GLOBAL_PARAM "name '%s' is parameter and global"
#define NONLOCAL_PARAM "name '%s' is parameter and nonlocal"
#define GLOBAL_AFTER_ASSIGN "name '%s' is assigned to before global declaration"
#define NONLOCAL_AFTER_ASSIGN "name '%s' is assigned to before nonlocal declaration"
#define GLOBAL_AFTER_USE "name '%s' is used prior to global declaration"
#define NONLOCAL_AFTER_USE "name '%s' is used prior to nonlocal declaration"
#define GLOBAL_ANNOT "annotated name '%s' can't be global"
#define NONLOCAL_ANNOT "annotated name '%s' can't be nonlocal"
#define IMPORT_STAR "import * only allowed at module level"
#define NAMED_EXPR_COMP_IN_CLASS                                                                 \
    "assignment expression within a comprehension cannot be used in a class body"
#define NAMED_EXPR_COMP_CONFLICT                                                                 \
    "assignment expression cannot rebind comprehension iteration variable '%s'"
#define NAMED_EXPR_COMP_INNER_LOOP_CONFLICT                                                      \
    "comprehension inner loop cannot rebind assignment expression target '%s'"
#define NAMED_EXPR_COMP_ITER_EXPR                                                                \
    "assignment expression cannot be used in a comprehension iterable expression"

// How deep the first pass may recurse into nested expressions and statements. The parser
// already bounds the AST's depth; this keeps the C stack safe whatever it lets through.
#define MAX_DEPTH (2 * MINI_MAX_AST_DEPTH)

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

// A malloc'd copy of line [line] (1-based) of the source, without its line break, or NULL.
static char *source_line(const SourceText *src, int line) {
    if (!src || !src->text || line < 1)
        return NULL;
    const char *p = src->text, *end = src->text + src->len;
    for (int l = 1; l < line; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return NULL;
        p = nl + 1;
    }
    const char *e = memchr(p, '\n', (size_t)(end - p));
    if (!e)
        e = end;
    if (e > p && e[-1] == '\r')
        e--;
    size_t n = (size_t)(e - p);
    char *copy = malloc(n + 1);
    if (copy) {
        memcpy(copy, p, n);
        copy[n] = '\0';
    }
    return copy;
}

MiniObject *source_syntax_error(const SourceText *src, int line, int col, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!msg)
        return mini_raise_memory();
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    va_end(ap);
    // CPython reads the text of these errors back from the file (the parser's own errors carry
    // it): source given as a string ("<string>", "<stdin>") leaves it None.
    const char *filename = src ? src->filename : NULL;
    char *text = filename && filename[0] != '<' ? source_line(src, line) : NULL;
    mini_raise_syntax_error(mini_exc_SyntaxError, filename, line, col + 1, text, "%s", msg);
    free(text);
    free(msg);
    return NULL;
}

// The RecursionError CPython raises for programs nested too deeply to compile.
static bool too_deep(void) {
    mini_raise_str(mini_exc_RecursionError, "maximum recursion depth exceeded during compilation");
    return false;
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

MiniObject *symtable_mangle(MiniObject *private_name, MiniObject *name) {
    const char *id = STR_DATA(name);
    size_t n = STR_SIZE(name);
    if (!private_name || n < 2 || id[0] != '_' || id[1] != '_')
        return name;
    // Dunder names stay as they are, and so do dotted module names of imports.
    if ((id[n - 1] == '_' && id[n - 2] == '_') || memchr(id, '.', n))
        return name;
    const char *cls = STR_DATA(private_name);
    while (*cls == '_')
        cls++;
    size_t clen = strlen(cls);
    if (clen == 0)
        return name; // a class named only with underscores mangles nothing
    char *buf = mini_malloc(1 + clen + n + 1);
    if (!buf)
        return NULL;
    buf[0] = '_';
    memcpy(buf + 1, cls, clen);
    memcpy(buf + 1 + clen, id, n);
    buf[1 + clen + n] = '\0';
    MiniObject *mangled = mini_intern_n(buf, 1 + clen + n);
    mini_free(buf);
    return mangled;
}

int symtable_flags(const SymScope *s, MiniObject *name) {
    MiniObject *v = dict_get_str(s->symbols, name);
    return v && MINI_IS_SMALLINT(v) ? (int)MINI_SMALLINT_VALUE(v) : 0;
}

// Dicts used as sets of names.
static bool set_has(MiniObject *set, MiniObject *name) {
    return set && dict_get_str(set, name) != NULL;
}
static bool set_put(MiniObject *set, MiniObject *name) {
    return dict_set(set, name, MINI_NONE) == 0;
}
static bool set_drop(MiniObject *set, MiniObject *name) {
    return dict_discard(set, name) >= 0;
}
static bool set_union(MiniObject *dst, MiniObject *src) {
    size_t pos = 0;
    MiniObject *k, *v;
    while (dict_next(src, &pos, &k, &v))
        if (!set_put(dst, k))
            return false;
    return true;
}
// A new set holding the names of [src] (or none when src is NULL). New reference.
static MiniObject *set_copy(MiniObject *src) {
    MiniObject *d = dict_new();
    if (d && src && !set_union(d, src)) {
        MINI_DECREF(d);
        return NULL;
    }
    return d;
}

// ---------------------------------------------------------------------------------------------
// Scopes
// ---------------------------------------------------------------------------------------------

static void scope_free(SymScope *s) {
    if (!s)
        return;
    for (size_t i = 0; i < s->nchildren; i++)
        scope_free(s->children[i]);
    mini_free(s->children);
    MINI_XDECREF(s->symbols);
    MINI_XDECREF(s->params);
    MINI_XDECREF(s->directives);
    mini_free(s);
}

void symtable_free(SymTable *st) {
    if (!st)
        return;
    scope_free(st->top);
    mini_free(st);
}

SymScope *symtable_child(SymScope *parent, const void *node) {
    // The compiler meets the blocks in nearly the order the first pass did, so the search
    // starts where the previous one succeeded and usually ends at once.
    size_t n = parent->nchildren;
    for (size_t k = 0; k < n; k++) {
        size_t i = (parent->next_child + k) % n;
        if (parent->children[i]->node == node) {
            parent->next_child = i + 1;
            return parent->children[i];
        }
    }
    return NULL;
}

// Opens a new block inside the current one and makes it current. False on MemoryError.
static bool enter_block(SymTable *st, MiniObject *name, ScopeKind kind, const void *node,
                        SrcPos pos) {
    SymScope *s = mini_calloc(1, sizeof(SymScope));
    if (!s)
        return false;
    s->kind = kind;
    s->node = node;
    s->name = name;
    s->line = pos.line;
    s->col = pos.col;
    s->symbols = dict_new();
    s->params = list_new(0);
    s->directives = dict_new();
    if (!s->symbols || !s->params || !s->directives) {
        scope_free(s);
        return false;
    }
    SymScope *parent = st->cur;
    if (parent) {
        if (parent->nchildren == parent->capchildren) {
            size_t cap = parent->capchildren ? parent->capchildren * 2 : 4;
            SymScope **children = mini_realloc(parent->children, cap * sizeof(SymScope *));
            if (!children) {
                scope_free(s);
                return false;
            }
            parent->children = children;
            parent->capchildren = cap;
        }
        parent->children[parent->nchildren++] = s;
        s->parent = parent;
        s->nested = parent->nested || parent->kind == SCOPE_FUNCTION;
    } else {
        st->top = s;
    }
    st->cur = s;
    return true;
}

static void exit_block(SymTable *st) { st->cur = st->cur->parent; }

// ---------------------------------------------------------------------------------------------
// The first pass: recording definitions and uses
// ---------------------------------------------------------------------------------------------

// Records [flag] for [name] (interned, not yet mangled) in scope [s], at [pos] for errors.
static bool add_def_in(SymTable *st, SymScope *s, MiniObject *name, int flag, SrcPos pos) {
    MiniObject *mangled = symtable_mangle(st->private_name, name);
    if (!mangled)
        return false;
    int val = symtable_flags(s, mangled);
    if ((flag & DEF_PARAM) && (val & DEF_PARAM)) {
        source_syntax_error(st->src, pos.line, pos.col, DUPLICATE_ARGUMENT, STR_DATA(name));
        return false;
    }
    val |= flag;
    if (s->comp_iter_target) {
        // A comprehension's loop variable may not also be the target of an assignment
        // expression of the same comprehension (that one binds in the enclosing function).
        if (val & (DEF_GLOBAL | DEF_NONLOCAL)) {
            source_syntax_error(st->src, pos.line, pos.col, NAMED_EXPR_COMP_INNER_LOOP_CONFLICT,
                                STR_DATA(name));
            return false;
        }
        val |= DEF_COMP_ITER;
    }
    if (dict_set(s->symbols, mangled, MINI_FROM_SMALLINT(val)) < 0)
        return false;
    if (flag & DEF_PARAM) {
        if (list_append(s->params, mangled) < 0)
            return false;
    } else if (flag & DEF_GLOBAL) {
        // The module learns about names that inner blocks declare global: the module's own
        // code then reaches them with the *_GLOBAL opcodes too, as CPython does.
        int g = flag | symtable_flags(st->top, mangled);
        if (dict_set(st->top->symbols, mangled, MINI_FROM_SMALLINT(g)) < 0)
            return false;
    }
    return true;
}

static bool add_def(SymTable *st, MiniObject *name, int flag, SrcPos pos) {
    return add_def_in(st, st->cur, name, flag, pos);
}

static bool add_def_cstr(SymTable *st, const char *name, int flag, SrcPos pos) {
    MiniObject *id = mini_intern(name);
    return id && add_def(st, id, flag, pos);
}

// Remembers where [name] was declared global or nonlocal (the first declaration wins), so
// that errors found by the analysis point at the declaration.
static bool record_directive(SymTable *st, MiniObject *name, SrcPos pos) {
    MiniObject *mangled = symtable_mangle(st->private_name, name);
    if (!mangled)
        return false;
    if (dict_get_str(st->cur->directives, mangled))
        return true;
    int64_t where = ((int64_t)pos.line << 20) | (pos.col & 0xfffff);
    return dict_set(st->cur->directives, mangled, MINI_FROM_SMALLINT(where)) == 0;
}

static bool visit_expr(SymTable *st, Expr *e);
static bool visit_stmt(SymTable *st, Stmt *s);

static bool visit_stmts(SymTable *st, const StmtList *l) {
    for (size_t i = 0; i < l->count; i++)
        if (!visit_stmt(st, l->items[i]))
            return false;
    return true;
}

// Visits each expression of [l], skipping NULL items (missing keyword-only defaults).
static bool visit_exprs(SymTable *st, const ExprList *l) {
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i] && !visit_expr(st, l->items[i]))
            return false;
    return true;
}

static bool visit_opt_expr(SymTable *st, Expr *e) { return !e || visit_expr(st, e); }

static bool visit_params(SymTable *st, const ArgList *args) {
    for (size_t i = 0; i < args->count; i++)
        if (!add_def_cstr(st, args->items[i].arg, DEF_PARAM, args->items[i].pos))
            return false;
    return true;
}

// The parameters, in the order CPython lists them in co_varnames.
static bool visit_arguments(SymTable *st, const Arguments *a) {
    if (!visit_params(st, &a->posonlyargs) || !visit_params(st, &a->args) ||
        !visit_params(st, &a->kwonlyargs))
        return false;
    if (a->vararg && !add_def_cstr(st, a->vararg->arg, DEF_PARAM, a->vararg->pos))
        return false;
    if (a->kwarg && !add_def_cstr(st, a->kwarg->arg, DEF_PARAM, a->kwarg->pos))
        return false;
    return true;
}

// Annotations of parameters and of the return value are evaluated where the `def` runs.
static bool visit_annotations(SymTable *st, const Arguments *a, Expr *returns) {
    const ArgList *lists[3] = {&a->posonlyargs, &a->args, &a->kwonlyargs};
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < lists[k]->count; i++)
            if (!visit_opt_expr(st, lists[k]->items[i].annotation))
                return false;
    if (a->vararg && !visit_opt_expr(st, a->vararg->annotation))
        return false;
    if (a->kwarg && !visit_opt_expr(st, a->kwarg->annotation))
        return false;
    return visit_opt_expr(st, returns);
}

static bool visit_alias(SymTable *st, const Alias *a) {
    const char *name = a->asname ? a->asname : a->name;
    if (strcmp(name, "*") == 0) {
        if (st->cur->kind != SCOPE_MODULE) {
            source_syntax_error(st->src, a->pos.line, a->pos.col, IMPORT_STAR);
            return false;
        }
        return true;
    }
    // `import a.b.c` binds `a`.
    const char *dot = strchr(name, '.');
    MiniObject *store = dot ? mini_intern_n(name, (size_t)(dot - name)) : mini_intern(name);
    return store && add_def(st, store, DEF_IMPORT, a->pos);
}

// `global x` / `nonlocal x`: checks the name was not used before the declaration.
static bool visit_declaration(SymTable *st, Stmt *s, bool global) {
    const NameList *names = &s->u.global.names;
    for (size_t i = 0; i < names->count; i++) {
        MiniObject *name = mini_intern(names->items[i]);
        MiniObject *mangled = name ? symtable_mangle(st->private_name, name) : NULL;
        if (!mangled)
            return false;
        int cur = symtable_flags(st->cur, mangled);
        if (cur & (DEF_PARAM | DEF_LOCAL | DEF_USE | DEF_ANNOT)) {
            const char *msg;
            if (cur & DEF_PARAM)
                msg = global ? GLOBAL_PARAM : NONLOCAL_PARAM;
            else if (cur & DEF_USE)
                msg = global ? GLOBAL_AFTER_USE : NONLOCAL_AFTER_USE;
            else if (cur & DEF_ANNOT)
                msg = global ? GLOBAL_ANNOT : NONLOCAL_ANNOT;
            else
                msg = global ? GLOBAL_AFTER_ASSIGN : NONLOCAL_AFTER_ASSIGN;
            source_syntax_error(st->src, s->pos.line, s->pos.col, msg, names->items[i]);
            return false;
        }
        if (!add_def(st, name, global ? DEF_GLOBAL : DEF_NONLOCAL, s->pos) ||
            !record_directive(st, name, s->pos))
            return false;
    }
    return true;
}

static bool visit_annassign(SymTable *st, Stmt *s) {
    Expr *target = s->u.annassign.target;
    if (target->kind == EXPR_NAME) {
        MiniObject *name = mini_intern(target->u.name.id);
        MiniObject *mangled = name ? symtable_mangle(st->private_name, name) : NULL;
        if (!mangled)
            return false;
        int cur = symtable_flags(st->cur, mangled);
        if ((cur & (DEF_GLOBAL | DEF_NONLOCAL)) && st->cur != st->top && s->u.annassign.simple) {
            source_syntax_error(st->src, s->pos.line, s->pos.col,
                                (cur & DEF_GLOBAL) ? GLOBAL_ANNOT : NONLOCAL_ANNOT,
                                target->u.name.id);
            return false;
        }
        if (s->u.annassign.simple) {
            if (!add_def(st, name, DEF_ANNOT | DEF_LOCAL, target->pos))
                return false;
        } else if (s->u.annassign.value && !add_def(st, name, DEF_LOCAL, target->pos)) {
            return false;
        }
    } else if (!visit_expr(st, target)) {
        return false;
    }
    return visit_expr(st, s->u.annassign.annotation) && visit_opt_expr(st, s->u.annassign.value);
}

static bool visit_stmt_kind(SymTable *st, Stmt *s) {
    switch (s->kind) {
    case STMT_FUNCTIONDEF: {
        Arguments *a = s->u.functiondef.args;
        MiniObject *name = mini_intern(s->u.functiondef.name);
        if (!name || !add_def(st, name, DEF_LOCAL, s->pos))
            return false;
        if (!visit_exprs(st, &a->defaults) || !visit_exprs(st, &a->kw_defaults) ||
            !visit_annotations(st, a, s->u.functiondef.returns) ||
            !visit_exprs(st, &s->u.functiondef.decorator_list))
            return false;
        if (!enter_block(st, name, SCOPE_FUNCTION, s, s->pos))
            return false;
        if (!visit_arguments(st, a) || !visit_stmts(st, &s->u.functiondef.body))
            return false;
        exit_block(st);
        return true;
    }
    case STMT_CLASSDEF: {
        MiniObject *name = mini_intern(s->u.classdef.name);
        if (!name || !add_def(st, name, DEF_LOCAL, s->pos))
            return false;
        if (!visit_exprs(st, &s->u.classdef.bases))
            return false;
        for (size_t i = 0; i < s->u.classdef.keywords.count; i++)
            if (!visit_expr(st, s->u.classdef.keywords.items[i].value))
                return false;
        if (!visit_exprs(st, &s->u.classdef.decorator_list))
            return false;
        if (!enter_block(st, name, SCOPE_CLASS, s, s->pos))
            return false;
        // Names written `__x` in the body belong to this class (mangling).
        MiniObject *saved = st->private_name;
        st->private_name = name;
        bool ok = visit_stmts(st, &s->u.classdef.body);
        st->private_name = saved;
        if (!ok)
            return false;
        exit_block(st);
        return true;
    }
    case STMT_RETURN:
        return visit_opt_expr(st, s->u.ret.value);
    case STMT_DELETE:
        return visit_exprs(st, &s->u.del.targets);
    case STMT_ASSIGN:
        return visit_exprs(st, &s->u.assign.targets) && visit_expr(st, s->u.assign.value);
    case STMT_AUGASSIGN:
        return visit_expr(st, s->u.augassign.target) && visit_expr(st, s->u.augassign.value);
    case STMT_ANNASSIGN:
        return visit_annassign(st, s);
    case STMT_FOR:
        return visit_expr(st, s->u.for_.target) && visit_expr(st, s->u.for_.iter) &&
               visit_stmts(st, &s->u.for_.body) && visit_stmts(st, &s->u.for_.orelse);
    case STMT_WHILE:
    case STMT_IF:
        return visit_expr(st, s->u.while_.test) && visit_stmts(st, &s->u.while_.body) &&
               visit_stmts(st, &s->u.while_.orelse);
    case STMT_WITH:
        for (size_t i = 0; i < s->u.with.items.count; i++) {
            WithItem *item = &s->u.with.items.items[i];
            if (!visit_expr(st, item->context_expr) || !visit_opt_expr(st, item->optional_vars))
                return false;
        }
        return visit_stmts(st, &s->u.with.body);
    case STMT_RAISE:
        return visit_opt_expr(st, s->u.raise.exc) && visit_opt_expr(st, s->u.raise.cause);
    case STMT_TRY:
        if (!visit_stmts(st, &s->u.try_.body) || !visit_stmts(st, &s->u.try_.orelse))
            return false;
        for (size_t i = 0; i < s->u.try_.handlers.count; i++) {
            ExceptHandler *h = &s->u.try_.handlers.items[i];
            if (!visit_opt_expr(st, h->type))
                return false;
            if (h->name && !add_def_cstr(st, h->name, DEF_LOCAL, h->pos))
                return false;
            if (!visit_stmts(st, &h->body))
                return false;
        }
        return visit_stmts(st, &s->u.try_.finalbody);
    case STMT_ASSERT:
        return visit_expr(st, s->u.assert_.test) && visit_opt_expr(st, s->u.assert_.msg);
    case STMT_IMPORT:
        for (size_t i = 0; i < s->u.import.names.count; i++)
            if (!visit_alias(st, &s->u.import.names.items[i]))
                return false;
        return true;
    case STMT_IMPORTFROM:
        for (size_t i = 0; i < s->u.importfrom.names.count; i++)
            if (!visit_alias(st, &s->u.importfrom.names.items[i]))
                return false;
        return true;
    case STMT_GLOBAL:
        return visit_declaration(st, s, true);
    case STMT_NONLOCAL:
        return visit_declaration(st, s, false);
    case STMT_EXPR:
        return visit_expr(st, s->u.expr.value);
    case STMT_PASS:
    case STMT_BREAK:
    case STMT_CONTINUE:
        return true;
    }
    return true;
}

static bool visit_stmt(SymTable *st, Stmt *s) {
    if (++st->depth > MAX_DEPTH)
        return too_deep();
    bool ok = visit_stmt_kind(st, s);
    st->depth--;
    return ok;
}

// An assignment expression inside a comprehension binds its target in the nearest enclosing
// function (or module): the comprehension's scope only passes it through as nonlocal.
static bool extend_namedexpr_scope(SymTable *st, Expr *target) {
    MiniObject *name = mini_intern(target->u.name.id);
    MiniObject *mangled = name ? symtable_mangle(st->private_name, name) : NULL;
    if (!mangled)
        return false;
    for (SymScope *s = st->cur; s; s = s->parent) {
        if (s->comprehension != COMP_NONE) {
            if (symtable_flags(s, mangled) & DEF_COMP_ITER) {
                source_syntax_error(st->src, target->pos.line, target->pos.col,
                                    NAMED_EXPR_COMP_CONFLICT, target->u.name.id);
                return false;
            }
            continue;
        }
        if (s->kind == SCOPE_FUNCTION) {
            int flag = (symtable_flags(s, mangled) & DEF_GLOBAL) ? DEF_GLOBAL : DEF_NONLOCAL;
            return add_def(st, name, flag, target->pos) &&
                   record_directive(st, name, target->pos) &&
                   add_def_in(st, s, name, DEF_LOCAL, target->pos);
        }
        if (s->kind == SCOPE_MODULE) {
            return add_def(st, name, DEF_GLOBAL, target->pos) &&
                   record_directive(st, name, target->pos) &&
                   add_def_in(st, s, name, DEF_GLOBAL, target->pos);
        }
        // A class body: its names are not visible to the comprehension.
        source_syntax_error(st->src, target->pos.line, target->pos.col, NAMED_EXPR_COMP_IN_CLASS);
        return false;
    }
    return true;
}

static bool visit_namedexpr(SymTable *st, Expr *e) {
    if (st->cur->comp_iter_expr > 0) {
        source_syntax_error(st->src, e->pos.line, e->pos.col, NAMED_EXPR_COMP_ITER_EXPR);
        return false;
    }
    Expr *target = e->u.namedexpr.target;
    if (st->cur->comprehension != COMP_NONE && target->kind == EXPR_NAME &&
        !extend_namedexpr_scope(st, target))
        return false;
    return visit_expr(st, e->u.namedexpr.value) && visit_expr(st, target);
}

// A comprehension's loop target, with the flag that marks its names as loop variables.
static bool visit_comp_target(SymTable *st, Expr *target) {
    st->cur->comp_iter_target = 1;
    bool ok = visit_expr(st, target);
    st->cur->comp_iter_target = 0;
    return ok;
}

// An iterable of a comprehension: assignment expressions are not allowed there.
static bool visit_comp_iter(SymTable *st, Expr *iter) {
    st->cur->comp_iter_expr++;
    bool ok = visit_expr(st, iter);
    st->cur->comp_iter_expr--;
    return ok;
}

// A comprehension is a function of its own, called at once with the iterator of its outermost
// iterable (which is evaluated outside, in the enclosing block) as the parameter `.0`.
static bool visit_comprehension(SymTable *st, Expr *e, const char *scope_name, CompKind kind,
                                const ComprehensionList *gens, Expr *elt, Expr *value) {
    if (gens->count == 0)
        return true;
    Comprehension *outer = &gens->items[0];
    if (!visit_comp_iter(st, outer->iter))
        return false;
    MiniObject *name = mini_intern(scope_name);
    if (!name || !enter_block(st, name, SCOPE_FUNCTION, e, e->pos))
        return false;
    st->cur->comprehension = kind;
    if (!add_def_cstr(st, ".0", DEF_PARAM, e->pos))
        return false;
    if (!visit_comp_target(st, outer->target) || !visit_exprs(st, &outer->ifs))
        return false;
    for (size_t i = 1; i < gens->count; i++) {
        Comprehension *g = &gens->items[i];
        if (!visit_comp_target(st, g->target) || !visit_comp_iter(st, g->iter) ||
            !visit_exprs(st, &g->ifs))
            return false;
    }
    if (!visit_opt_expr(st, value) || !visit_expr(st, elt))
        return false;
    st->cur->generator = kind == COMP_GENEXP;
    exit_block(st);
    return true;
}

static bool visit_yield(SymTable *st, Expr *e) {
    if (!visit_opt_expr(st, e->u.yield.value))
        return false;
    st->cur->generator = true;
    if (st->cur->comprehension != COMP_NONE) {
        static const char *const where[] = {"", "list comprehension", "set comprehension",
                                            "dict comprehension", "generator expression"};
        source_syntax_error(st->src, e->pos.line, e->pos.col, "'yield' inside %s",
                            where[st->cur->comprehension]);
        return false;
    }
    return true;
}

static bool visit_expr_kind(SymTable *st, Expr *e) {
    switch (e->kind) {
    case EXPR_BOOLOP:
        return visit_exprs(st, &e->u.boolop.values);
    case EXPR_NAMEDEXPR:
        return visit_namedexpr(st, e);
    case EXPR_BINOP:
        return visit_expr(st, e->u.binop.left) && visit_expr(st, e->u.binop.right);
    case EXPR_UNARYOP:
        return visit_expr(st, e->u.unaryop.operand);
    case EXPR_LAMBDA: {
        Arguments *a = e->u.lambda.args;
        if (!visit_exprs(st, &a->defaults) || !visit_exprs(st, &a->kw_defaults))
            return false;
        MiniObject *name = mini_intern("lambda");
        if (!name || !enter_block(st, name, SCOPE_FUNCTION, e, e->pos))
            return false;
        if (!visit_arguments(st, a) || !visit_expr(st, e->u.lambda.body))
            return false;
        exit_block(st);
        return true;
    }
    case EXPR_IFEXP:
        return visit_expr(st, e->u.ifexp.test) && visit_expr(st, e->u.ifexp.body) &&
               visit_expr(st, e->u.ifexp.orelse);
    case EXPR_DICT:
        return visit_exprs(st, &e->u.dict.keys) && visit_exprs(st, &e->u.dict.values);
    case EXPR_SET:
        return visit_exprs(st, &e->u.set.elts);
    case EXPR_LISTCOMP:
        return visit_comprehension(st, e, "listcomp", COMP_LIST, &e->u.listcomp.generators,
                                   e->u.listcomp.elt, NULL);
    case EXPR_SETCOMP:
        return visit_comprehension(st, e, "setcomp", COMP_SET, &e->u.listcomp.generators,
                                   e->u.listcomp.elt, NULL);
    case EXPR_GENEXP:
        return visit_comprehension(st, e, "genexpr", COMP_GENEXP, &e->u.listcomp.generators,
                                   e->u.listcomp.elt, NULL);
    case EXPR_DICTCOMP:
        return visit_comprehension(st, e, "dictcomp", COMP_DICT, &e->u.dictcomp.generators,
                                   e->u.dictcomp.key, e->u.dictcomp.value);
    case EXPR_YIELD:
    case EXPR_YIELDFROM:
        return visit_yield(st, e);
    case EXPR_AWAIT:
        return visit_expr(st, e->u.yield.value);
    case EXPR_COMPARE:
        if (!visit_expr(st, e->u.compare.left))
            return false;
        for (size_t i = 0; i < e->u.compare.count; i++)
            if (!visit_expr(st, e->u.compare.comparators[i]))
                return false;
        return true;
    case EXPR_CALL:
        if (!visit_expr(st, e->u.call.func) || !visit_exprs(st, &e->u.call.args))
            return false;
        for (size_t i = 0; i < e->u.call.keywords.count; i++)
            if (!visit_expr(st, e->u.call.keywords.items[i].value))
                return false;
        return true;
    case EXPR_FORMATTEDVALUE:
        return visit_expr(st, e->u.formattedvalue.value) &&
               visit_opt_expr(st, e->u.formattedvalue.format_spec);
    case EXPR_JOINEDSTR:
        return visit_exprs(st, &e->u.joinedstr.values);
    case EXPR_CONSTANT:
        return true;
    case EXPR_ATTRIBUTE:
        return visit_expr(st, e->u.attribute.value);
    case EXPR_SUBSCRIPT:
        return visit_expr(st, e->u.subscript.value) && visit_expr(st, e->u.subscript.slice);
    case EXPR_STARRED:
        return visit_expr(st, e->u.starred.value);
    case EXPR_NAME: {
        int flag = e->u.name.ctx == CTX_LOAD ? DEF_USE : DEF_LOCAL;
        if (!add_def_cstr(st, e->u.name.id, flag, e->pos))
            return false;
        // A function that uses `super` needs the __class__ cell that zero-argument super()
        // reads, so it counts as a use of __class__.
        if (e->u.name.ctx == CTX_LOAD && st->cur->kind == SCOPE_FUNCTION &&
            strcmp(e->u.name.id, "super") == 0)
            return add_def(st, MINI_ID(__class__), DEF_USE, e->pos);
        return true;
    }
    case EXPR_LIST:
    case EXPR_TUPLE:
        return visit_exprs(st, &e->u.list.elts);
    case EXPR_SLICE:
        return visit_opt_expr(st, e->u.slice.lower) && visit_opt_expr(st, e->u.slice.upper) &&
               visit_opt_expr(st, e->u.slice.step);
    }
    return true;
}

static bool visit_expr(SymTable *st, Expr *e) {
    if (++st->depth > MAX_DEPTH)
        return too_deep();
    bool ok = visit_expr_kind(st, e);
    st->depth--;
    return ok;
}

// ---------------------------------------------------------------------------------------------
// The second pass: resolving names
// ---------------------------------------------------------------------------------------------

// Raises [fmt] (with the name) at the global/nonlocal declaration of [name] in [s].
static bool error_at_directive(const SymTable *st, SymScope *s, MiniObject *name,
                               const char *fmt) {
    MiniObject *where = dict_get_str(s->directives, name);
    int64_t w = where && MINI_IS_SMALLINT(where) ? MINI_SMALLINT_VALUE(where) : 0;
    source_syntax_error(st->src, (int)(w >> 20), (int)(w & 0xfffff), fmt, STR_DATA(name));
    return false;
}

static bool set_binding(MiniObject *scopes, MiniObject *name, Binding b) {
    return dict_set(scopes, name, MINI_FROM_SMALLINT(b)) == 0;
}

// Decides the binding of one name of [s]: the rules of Python's execution model.
static bool analyze_name(const SymTable *st, SymScope *s, MiniObject *scopes, MiniObject *name,
                         int flags, MiniObject *bound, MiniObject *local, MiniObject *free,
                         MiniObject *global) {
    if (flags & DEF_GLOBAL) {
        if (flags & DEF_NONLOCAL)
            return error_at_directive(st, s, name, "name '%s' is nonlocal and global");
        return set_binding(scopes, name, BIND_GLOBAL_EXPLICIT) && set_put(global, name) &&
               (!bound || set_drop(bound, name));
    }
    if (flags & DEF_NONLOCAL) {
        if (!bound)
            return error_at_directive(st, s, name,
                                      "nonlocal declaration not allowed at module level");
        if (!set_has(bound, name))
            return error_at_directive(st, s, name, "no binding for nonlocal '%s' found");
        s->has_free = true;
        return set_binding(scopes, name, BIND_FREE) && set_put(free, name);
    }
    if (flags & DEF_BOUND)
        return set_binding(scopes, name, BIND_LOCAL) && set_put(local, name) &&
               set_drop(global, name);
    // Bound by an enclosing function: a free variable rather than a global.
    if (set_has(bound, name)) {
        s->has_free = true;
        return set_binding(scopes, name, BIND_FREE) && set_put(free, name);
    }
    if (s->nested && !set_has(global, name))
        s->has_free = true;
    return set_binding(scopes, name, BIND_GLOBAL_IMPLICIT);
}

// Locals of a function that nested blocks use freely become cells.
static bool analyze_cells(MiniObject *scopes, MiniObject *free) {
    MiniObject *cells = list_new(0);
    if (!cells)
        return false;
    size_t pos = 0;
    MiniObject *name, *v;
    bool ok = true;
    while (ok && dict_next(scopes, &pos, &name, &v))
        if (MINI_SMALLINT_VALUE(v) == BIND_LOCAL && set_has(free, name))
            ok = list_append(cells, name) == 0;
    for (size_t i = 0; ok && i < LIST_SIZE(cells); i++)
        ok = set_binding(scopes, LIST_GET(cells, i), BIND_CELL) &&
             set_drop(free, LIST_GET(cells, i));
    MINI_DECREF(cells);
    return ok;
}

// Writes the bindings into the symbols of [s] and adds the free variables of nested blocks
// that pass through it (a function between the binding function and the user, or a class).
static bool update_symbols(SymScope *s, MiniObject *scopes, MiniObject *bound,
                           MiniObject *free) {
    MiniObject *symbols = dict_new();
    if (!symbols)
        return false;
    size_t pos = 0;
    MiniObject *name, *v;
    while (dict_next(s->symbols, &pos, &name, &v)) {
        MiniObject *b = dict_get_str(scopes, name);
        int64_t flags = MINI_SMALLINT_VALUE(v);
        if (b)
            flags |= MINI_SMALLINT_VALUE(b) << BIND_SHIFT;
        if (dict_set(symbols, name, MINI_FROM_SMALLINT(flags)) < 0) {
            MINI_DECREF(symbols);
            return false;
        }
    }
    MINI_SETREF(s->symbols, symbols);
    pos = 0;
    while (dict_next(free, &pos, &name, &v)) {
        int flags = symtable_flags(s, name);
        if (flags) {
            // A method's free variable that the class body also binds: the class keeps its
            // own binding and passes the outer one through to the method.
            if (s->kind == SCOPE_CLASS && (flags & (DEF_BOUND | DEF_GLOBAL)) &&
                dict_set(s->symbols, name, MINI_FROM_SMALLINT(flags | DEF_FREE_CLASS)) < 0)
                return false;
            continue; // already a cell or free here
        }
        if (bound && !set_has(bound, name))
            continue; // a global
        if (dict_set(s->symbols, name, MINI_FROM_SMALLINT(BIND_FREE << BIND_SHIFT)) < 0)
            return false;
    }
    return true;
}

static bool analyze_block(const SymTable *st, SymScope *s, MiniObject *bound, MiniObject *free,
                          MiniObject *global);

// Analyzes a nested block with copies of the sets, so that siblings do not see each other's
// names, and collects its free variables into [child_free].
static bool analyze_child_block(const SymTable *st, SymScope *child, MiniObject *bound,
                                MiniObject *free, MiniObject *global, MiniObject *child_free) {
    MiniObject *temp_bound = set_copy(bound);
    MiniObject *temp_free = set_copy(free);
    MiniObject *temp_global = set_copy(global);
    bool ok = temp_bound && temp_free && temp_global &&
              analyze_block(st, child, temp_bound, temp_free, temp_global) &&
              set_union(child_free, temp_free);
    MINI_XDECREF(temp_bound);
    MINI_XDECREF(temp_free);
    MINI_XDECREF(temp_global);
    return ok;
}

// [bound]: names bound by enclosing functions (NULL for the module); [free]: receives the
// free variables of this block and its children; [global]: names declared global above.
static bool analyze_block(const SymTable *st, SymScope *s, MiniObject *bound, MiniObject *free,
                          MiniObject *global) {
    MiniObject *local = dict_new(), *scopes = dict_new(), *newglobal = dict_new();
    MiniObject *newfree = dict_new(), *newbound = dict_new(), *allfree = dict_new();
    bool ok = local && scopes && newglobal && newfree && newbound && allfree;

    // A class's own names are invisible to its methods, so what it passes down is fixed
    // before its names are analyzed.
    if (ok && s->kind == SCOPE_CLASS)
        ok = set_union(newglobal, global) && (!bound || set_union(newbound, bound));

    size_t pos = 0;
    MiniObject *name, *v;
    while (ok && dict_next(s->symbols, &pos, &name, &v))
        ok = analyze_name(st, s, scopes, name, (int)MINI_SMALLINT_VALUE(v), bound, local, free,
                          global);

    if (ok && s->kind != SCOPE_CLASS) {
        if (s->kind == SCOPE_FUNCTION)
            ok = set_union(newbound, local);
        ok = ok && (!bound || set_union(newbound, bound)) && set_union(newglobal, global);
    } else if (ok) {
        // Methods see the implicit __class__ cell of their class.
        ok = set_put(newbound, MINI_ID(__class__));
    }

    for (size_t i = 0; ok && i < s->nchildren; i++) {
        SymScope *child = s->children[i];
        ok = analyze_child_block(st, child, newbound, newfree, newglobal, allfree);
        if (child->has_free || child->child_free)
            s->child_free = true;
    }
    ok = ok && set_union(newfree, allfree);

    if (ok && s->kind == SCOPE_FUNCTION) {
        ok = analyze_cells(scopes, newfree);
    } else if (ok && s->kind == SCOPE_CLASS && set_has(newfree, MINI_ID(__class__))) {
        s->needs_class_closure = true;
        ok = set_drop(newfree, MINI_ID(__class__));
    }
    ok = ok && update_symbols(s, scopes, bound, newfree) && set_union(free, newfree);

    MINI_XDECREF(local);
    MINI_XDECREF(scopes);
    MINI_XDECREF(newglobal);
    MINI_XDECREF(newfree);
    MINI_XDECREF(newbound);
    MINI_XDECREF(allfree);
    return ok;
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

SymTable *symtable_build(Module *mod, const SourceText *src) {
    SymTable *st = mini_calloc(1, sizeof(SymTable));
    if (!st)
        return NULL;
    st->src = src;
    SrcPos start = {1, 0, 1, 0};
    MiniObject *top = mini_intern("top");
    bool ok = top && enter_block(st, top, SCOPE_MODULE, NULL, start);
    if (ok)
        ok = mod->mode == MODE_EVAL ? visit_expr(st, mod->expr) : visit_stmts(st, &mod->body);
    if (ok) {
        st->cur = NULL;
        MiniObject *free = dict_new(), *global = dict_new();
        ok = free && global && analyze_block(st, st->top, NULL, free, global);
        MINI_XDECREF(free);
        MINI_XDECREF(global);
    }
    if (!ok) {
        symtable_free(st);
        return NULL;
    }
    return st;
}
