/*
 * Intrusive lists: the only list primitive in kettle.
 *
 * struct kt_list is circular and doubly linked; the head is itself a node,
 * so insertion and removal never test for the ends.  Removal re-initialises
 * the node, which makes kt_list_linked() cheap and correct.
 *
 * struct kt_hlist is the same idea with a one-pointer head (for the timer
 * wheel, which has hundreds of heads): nodes keep a pointer to the pointer
 * that points at them, so removal is still O(1) without knowing the head.
 *
 * Every operation is O(1).  Not ISR-safe: the kernel only touches its lists
 * in thread mode, the caller serialises.
 */
#ifndef KT_LIST_H
#define KT_LIST_H

#include <stddef.h>
#include <stdbool.h>

/* For the few operations the hot paths are made of: never a call. */
#define KT_INLINE static inline __attribute__((always_inline))

#define kt_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

struct kt_list {
	struct kt_list *next, *prev;
};

static inline void kt_list_init(struct kt_list *l)
{
	l->next = l;
	l->prev = l;
}

static inline bool kt_list_empty(const struct kt_list *l)
{
	return l->next == l;
}

/* A node that was initialised or removed is unlinked. */
static inline bool kt_list_linked(const struct kt_list *n)
{
	return n->next != n;
}

KT_INLINE void kt_list_insert_before(struct kt_list *pos, struct kt_list *n)
{
	n->next = pos;
	n->prev = pos->prev;
	pos->prev->next = n;
	pos->prev = n;
}

KT_INLINE void kt_list_push_back(struct kt_list *head, struct kt_list *n)
{
	kt_list_insert_before(head, n);
}

KT_INLINE void kt_list_remove(struct kt_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n;
	n->prev = n;
}

/* First node or NULL. */
static inline struct kt_list *kt_list_first(const struct kt_list *head)
{
	return kt_list_empty(head) ? NULL : head->next;
}

#define kt_list_for_each(pos, head) \
	for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

/* One-pointer head, two-pointer node. */
struct kt_hnode {
	struct kt_hnode *next, **pprev;
};

struct kt_hlist {
	struct kt_hnode *first;
};

static inline void kt_hnode_init(struct kt_hnode *n)
{
	n->next = NULL;
	n->pprev = NULL;
}

static inline bool kt_hnode_linked(const struct kt_hnode *n)
{
	return n->pprev != NULL;
}

static inline void kt_hlist_push(struct kt_hlist *h, struct kt_hnode *n)
{
	n->next = h->first;
	if (n->next != NULL)
		n->next->pprev = &n->next;
	h->first = n;
	n->pprev = &h->first;
}

static inline void kt_hnode_remove(struct kt_hnode *n)
{
	*n->pprev = n->next;
	if (n->next != NULL)
		n->next->pprev = n->pprev;
	kt_hnode_init(n);
}

#endif
