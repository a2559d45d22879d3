/* rt_value.h - typed values from field text: the one conversion CSV events and spines share. */
#ifndef FEATRT_VALUE_H
#define FEATRT_VALUE_H

#include "rt_types.h"

/* Converts the len bytes at text to a value of type t in *out:
 *   is_null            -> null (text unused)
 *   RT_INT             [+-]?[0-9]+ within int64
 *   RT_FLOAT           [+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?, nearest double;
 *                      a magnitude that overflows to infinity is refused
 *   RT_BOOL            true or false (lower case)
 *   RT_TIMESTAMP       any form rt_time_parse accepts
 *   RT_STRING          the bytes themselves (out points at text), if valid UTF-8 without NUL
 * No whitespace is trimmed. Returns true on success; otherwise false with *why a static
 * phrase such as "expected int" or "int out of range" (and *out unspecified). */
bool rt_value_from_text(rt_type t, const char *text, size_t len, bool is_null, rt_slot *out, const char **why);

/* Checks string bytes for use as a string value: valid UTF-8 and no NUL byte. Returns NULL
 * when fine, else the phrase for a reject reason. */
const char *rt_value_string_problem(const char *s, size_t n);

/* The type's name as written in .feat files ("int", "timestamp", ...). */
const char *rt_value_type_name(rt_type t);

#endif
