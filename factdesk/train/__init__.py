"""factdesk.train: rebuild factdesk's own models from public data (needs the `train` extra).

- `finetune`: the kit both fine-tuned models share (tokenising, batch plan, the torch loop with
  bf16 autocast, checkpoint save/resume);
- `export`: int8 ONNX export and quantisation, and reading an export back for a resumed stage;
- `stance` (recipe) and `stance_data` (the one table of stance data sources and their loaders);
- `checkworthy` (the logistic-regression head and the shared data splits) and
  `checkworthy_model` (the fine-tuned check-worthiness recipe);
- `verdict`: the calibrated verdict aggregator.

Held-out scoring is `factdesk.eval` (`eval.stance_heldout`); the commands are
`factdesk train stance|verdict|checkworthy`.
"""
