"""Labels from work orders, failure-risk estimators, training, scoring, explanations, registry."""
