/* rt_types.h - the runtime's value layout: the ABI shared by libfeatrt and generated code. */
#ifndef FEATRT_TYPES_H
#define FEATRT_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Value types; numerically equal to the compiler's ftype (FT_BOOL..FT_TIMESTAMP). */
typedef enum rt_type {
    RT_BOOL = 2,
    RT_INT = 3,
    RT_FLOAT = 4,
    RT_STRING = 5,
    RT_TIMESTAMP = 6,
} rt_type;

/* One value of a record, a feature input or a result: 16 bytes.
 * bool and timestamp (epoch microseconds, UTC) live in v.i; strings are (v.s, len) bytes,
 * not NUL-terminated, owned by whoever produced the slot. */
typedef struct rt_slot {
    union {
        int64_t i;
        double f;
        const char *s;
    } v;
    uint32_t len;
    uint8_t null; /* 1 when the value is null */
    uint8_t pad[3];
} rt_slot;

_Static_assert(sizeof(rt_slot) == 16, "rt_slot is part of the generated-code ABI");

#define RT_US_PER_SEC INT64_C(1000000)

#endif
