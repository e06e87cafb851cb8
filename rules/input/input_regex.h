/*
 * input_regex.h - ML002's check of Istio regex match strings (input_regex.c).
 *
 * Kept apart from ml002_invalid_value.c so that ML002's enum and range
 * checks and this one change independently.
 */
#ifndef MESHLINT_INPUT_REGEX_H
#define MESHLINT_INPUT_REGEX_H

#include "meshlint/rule.h"

/* Report every VirtualService `regex` Istio's validation rejects. */
void ml002_check_regexes(ml_ctx *ctx);

#endif
