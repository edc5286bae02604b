/*
 * analysis/roles.h — the two roles of a reader-writer run judged apart:
 * for readers and for writers, who tried the role, how often they got it,
 * how fairly, who starved in it, and how many readers were inside together.
 */
#ifndef LB_ROLES_H
#define LB_ROLES_H

#include "engine/run.h"

/*
 * Fill out->has_roles, role[], readers_mean and readers_max from the
 * threads' per-role figures; after lb_outcome_judge (model/fill.c calls
 * both). A thread belongs to a role once it has tried it, warm-up
 * included. It is starved in a role it tried when (1) it got less than
 * LB_STARVE_SHARE of the role's fair share (role acquisitions / threads in
 * the role; needs two threads in the role), (2) its longest wait in the
 * role — one still unfinished when the window closed included — lasted
 * LB_STARVE_GAP of the window (and LB_STARVE_GAP_MIN_NS) while others
 * acquired, or (3) the role is its only one and lb_outcome_judge found it
 * starved: a lone writer among readers has no other writer to be compared
 * with, and its fair share is an average thread's, which is what a
 * task-fair or phase-fair lock gives it. A run in which no thread used a
 * role wrapper has no roles (has_roles false, nothing else set).
 */
void lb_outcome_judge_roles(struct lb_outcome *out);

#endif
