// int.h - the layout of heap ints and the number helpers int.c and float.c share.
//
// Design
// ------
// An int value has one of three forms (see object.h): a tagged small int (63 bits), one of the
// immediates MINI_TRUE / MINI_FALSE (bool, the values 1 and 0), or a MiniBigInt on the heap
// whose GMP integer `z` holds the value. An exact `int` MiniBigInt always holds a value that
// does not fit a small int, so two equal exact ints are either the same immediate or both big.
// Instances of subclasses of int (class I(int)) are MiniBigInts too, allocated by
// mini_type_alloc, and may hold any value, small or not.
//
// Only int.c and float.c include this header (it pulls in <gmp.h>); the rest of mini sees ints
// through the int_* functions of object.h. A MiniBigInt owns its limbs (mpz_clear in dealloc)
// and holds no references, so int is not a GC container.

#ifndef MINI_INT_H
#define MINI_INT_H

#include <gmp.h>

#include "format.h"
#include "object.h"

typedef struct {
    MiniObject ob;
    mpz_t z;
} MiniBigInt;

#define BIGINT_Z(o) (((MiniBigInt *)(o))->z)

// Stores the value of the int [o] (any form: small, bool, big, subclass) into [out], an
// initialised mpz.
void int_get_mpz(MiniObject *o, mpz_ptr out);
// The int whose value is [z], normalised to a small int when it fits. New reference; [z] is
// only read.
MiniObject *int_from_mpz(mpz_srcptr z);
// Compares the int [i] with the double [d] exactly, as CPython compares int with float:
// -1, 0 or 1 for i < d, i == d, i > d. [d] may be infinite but must not be NaN.
int int_compare_double(MiniObject *i, double d);
// The int [o] as a double, correctly rounded (round-half-even). False with OverflowError
// "int too large to convert to float" when it is out of range.
bool int_to_double(MiniObject *o, double *out);

// Moves [*start, *end) inward past whitespace: " \t\n\v\f\r", and when [unicode] (text from a
// str) also the UTF-8 encoded Unicode spaces (U+00A0, U+3000, ...). Not \x1c-\x1f, which
// str.isspace counts but CPython's number parsing does not.
void num_strip_space(const char **start, const char **end, bool unicode);
// The text of the non-ASCII str [s] made ASCII the way CPython's
// _PyUnicode_TransformDecimalAndSpaceToASCII does before int() or float() parses it: each
// Unicode space becomes ' ', each decimal digit (category Nd, e.g. '١') its ASCII digit, and
// the first other non-ASCII character '?', where the text stops (it can no longer be a number).
// A NUL-terminated buffer from mini_malloc (the caller frees it) with its length in [*len], or
// NULL with MemoryError.
char *num_ascii_text(MiniObject *s, size_t *len);
// The repr of [o] truncated to [max] code points, as CPython's "%.200R" does. New str.
MiniObject *num_repr_truncated(MiniObject *o, size_t max);

// float ** float with CPython's rules (float.c): used by int ** negative int. New reference,
// or NULL with ZeroDivisionError, ValueError or OverflowError.
MiniObject *float_pow_doubles(double a, double b);
// Formats the double [v] with the parsed format [spec] exactly as float.__format__ does;
// [no_neg_0] is the 'z' flag, [type_name] names the type in error messages. Used by
// int.__format__ for the types e E f F g G %. New str.
MiniObject *float_format_parsed(double v, const FormatSpec *spec, bool no_neg_0,
                                const char *type_name);
// Whether the format spec text [spec] (a str) has the 'z' flag ("negative zero coercion"),
// which FormatSpec does not record.
bool num_spec_has_z(MiniObject *spec);
// Raise ValueError "Unknown format code 'q' for object of type 'T'" and
// "Cannot specify ',' with 'c'.". Return NULL.
MiniObject *num_unknown_format_code(char type, const char *type_name);
// How Argument Clinic names a bad argument's type in "must be str, not X": "None" for None
// (not "NoneType"), else the type's name.
static inline const char *num_clinic_type_name(MiniObject *o) {
    return o == MINI_NONE ? "None" : mini_type_name(o);
}
MiniObject *num_bad_grouping(char grouping, char type);

#endif // MINI_INT_H
