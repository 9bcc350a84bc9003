"""A Hugging Face Trainer that reports to W&B, as fine-tuning scripts write it (a tiny BERT made
from a config, random tokens: no download)."""

import sys

import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments


class RandomTokens(torch.utils.data.Dataset):
    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(0, 50, (n, 8), generator=g)
        self.labels = (self.ids.sum(dim=1) % 2).long()

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "labels": self.labels[i]}


config = BertConfig(
    vocab_size=50,
    hidden_size=16,
    num_hidden_layers=1,
    num_attention_heads=2,
    intermediate_size=32,
    max_position_embeddings=16,
    num_labels=2,
)
model = BertForSequenceClassification(config)
args = TrainingArguments(
    output_dir=sys.argv[1],
    report_to="wandb",
    run_name="tiny-bert",
    max_steps=6,
    logging_steps=2,
    eval_strategy="steps",
    eval_steps=3,
    per_device_train_batch_size=8,
    learning_rate=1e-3,
    save_strategy="no",
    use_cpu=True,
    disable_tqdm=True,
)
trainer = Trainer(
    model=model, args=args, train_dataset=RandomTokens(64, 0), eval_dataset=RandomTokens(16, 1)
)
trainer.train()
