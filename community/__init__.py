"""Community: forums, topics, posts, reactions and threaded comments on brand stories."""
