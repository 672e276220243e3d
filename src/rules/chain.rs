//! A sequence that is joined to another in constant time, sharing both:
//! FL101 builds a path per statement out of the path before it, and
//! copying that prefix each time was quadratic in a long function.

use std::rc::Rc;

/// An immutable sequence of `T`; clones and joins share their parts.
#[derive(Debug)]
pub(crate) struct Chain<T> {
    len: usize,
    node: Option<Rc<Node<T>>>,
}

#[derive(Debug)]
enum Node<T> {
    Items(Vec<T>),
    Join(Chain<T>, Chain<T>),
}

impl<T> Chain<T> {
    /// The empty sequence.
    pub(crate) fn new() -> Self {
        Self { len: 0, node: None }
    }

    /// A sequence of these items.
    pub(crate) fn of(items: Vec<T>) -> Self {
        Self {
            len: items.len(),
            node: (!items.is_empty()).then(|| Rc::new(Node::Items(items))),
        }
    }

    /// `self` followed by `other`.
    pub(crate) fn join(self, other: Self) -> Self {
        match (self.len, other.len) {
            (0, _) => other,
            (_, 0) => self,
            (a, b) => Self {
                len: a + b,
                node: Some(Rc::new(Node::Join(self, other))),
            },
        }
    }

    /// The items in order (without recursion: a chain can be as deep as a
    /// function is long).
    pub(crate) fn items(&self) -> Vec<&T> {
        let mut items = Vec::with_capacity(self.len);
        let mut pending: Vec<&Chain<T>> = vec![self];
        while let Some(chain) = pending.pop() {
            match chain.node.as_deref() {
                None => {}
                Some(Node::Items(own)) => items.extend(own),
                Some(Node::Join(first, second)) => {
                    pending.push(second);
                    pending.push(first);
                }
            }
        }
        items
    }
}

impl<T> Default for Chain<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Clone for Chain<T> {
    fn clone(&self) -> Self {
        Self {
            len: self.len,
            node: self.node.clone(),
        }
    }
}

impl<T> Drop for Chain<T> {
    /// Frees a deep chain without recursing once per level.
    fn drop(&mut self) {
        let mut pending: Vec<Rc<Node<T>>> = self.node.take().into_iter().collect();
        while let Some(node) = pending.pop() {
            if let Ok(Node::Join(mut first, mut second)) = Rc::try_unwrap(node) {
                pending.extend(first.node.take());
                pending.extend(second.node.take());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_keep_order_and_share_parts() {
        let a = Chain::of(vec![1, 2]);
        let b = a.clone().join(Chain::new()).join(Chain::of(vec![3]));
        let c = Chain::new().join(a.clone()).join(b.clone());
        assert_eq!(b.items(), [&1, &2, &3]);
        assert_eq!(c.items(), [&1, &2, &1, &2, &3]);
        assert_eq!((a.len, b.len, c.len), (2, 3, 5));
    }

    #[test]
    fn a_million_joins_are_walked_and_dropped_without_recursion() {
        let mut chain = Chain::new();
        for i in 0..1_000_000 {
            chain = chain.join(Chain::of(vec![i]));
        }
        assert_eq!(chain.items().len(), 1_000_000);
    }
}
