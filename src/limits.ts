/**
 * Every limit and threshold of the product, in one place, named for what it bounds.
 * A leaf module: it imports nothing, and any layer may import it.
 */
