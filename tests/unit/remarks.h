/*
 * tests/unit/remarks.h — reading a geocoder result's remarks in tests: by code, never by
 * wording. remark_ids() lists the codes for failure messages.
 */
#ifndef PTCE_TEST_REMARKS_H
#define PTCE_TEST_REMARKS_H

#include <stdio.h>
#include <string.h>

#include "geocode/geocode.h"

/* "xy_swapped, candidates" into buf. */
static inline const char *remark_list(const geo_result *r, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < r->nremarks && len + 1 < size; i++) {
        int w = snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
                         geo_remark_id(r->remarks[i].code));
        if (w < 0)
            break;
        len += (size_t)w;
    }
    return buf;
}

#define remark_ids(r) remark_list((r), (char[512]){0}, 512)

/* The number of remarks with this code. */
static inline size_t remark_count(const geo_result *r, geo_remark_code code)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nremarks; i++)
        n += r->remarks[i].code == code;
    return n;
}

#endif
