/*
 * explain.h - rule documentation rendered from the rule metadata: the text
 * of --explain and the roff of meshlint-rules(7) come from one source.
 */
#ifndef MESHLINT_EXPLAIN_H
#define MESHLINT_EXPLAIN_H
#include "meshlint/base.h"
#include "meshlint/rule.h"
void ml_explain_text(ml_buf *out, const ml_rule *r);
void ml_explain_man(ml_buf *out);
#endif
