#!/usr/bin/env python3
"""Tune a chat model with IPO on the preference pairs that `logcot prefs build` writes.

IPO runs through TRL's DPOTrainer with loss_type="ipo". The defaults are the LogCoT method's settings
for Mistral-7B-Instruct: beta 0.1, learning rate 5e-6, 3 epochs, warm-up ratio 0.1, batch size 1 per
device with gradient accumulation 8.

`--check` validates the pairs file and builds the DPOConfig without loading or downloading a model,
so it runs on a CPU-only machine. Training itself needs a GPU (see docs/training.md).
"""

import argparse
import json
import sys

DEFAULT_MODEL = "mistralai/Mistral-7B-Instruct-v0.3"
ROLES = {"system", "user", "assistant"}
SHAREGPT_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant", "system": "system"}


class DataError(Exception):
    """A pairs file that DPOTrainer cannot read; the message names the record and the field."""


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="pairs from `logcot prefs build`: TRL JSON lines or the authors' ShareGPT array")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="base model name or local path (default: %(default)s)")
    parser.add_argument("--output-dir", default="ipo-output", help="checkpoints and the final adapter or model")
    parser.add_argument("--beta", type=float, default=0.1, help="IPO regularisation strength (default: %(default)s)")
    parser.add_argument("--learning-rate", type=float, default=5e-6)
    parser.add_argument("--epochs", type=float, default=3)
    parser.add_argument("--warmup-ratio", type=float, default=0.1)
    parser.add_argument("--gradient-accumulation-steps", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=1, help="pairs per device and step (default: %(default)s)")
    parser.add_argument("--max-length", type=int, default=4096, help="maximum tokens of prompt plus answer")
    parser.add_argument("--lora", action="store_true", help="train a LoRA adapter with peft instead of all weights")
    parser.add_argument("--lora-rank", type=int, default=16)
    parser.add_argument("--lora-alpha", type=int, default=32)
    parser.add_argument("--merged-dir", help="with --lora, also write the base model with the adapter merged in, for serving without LoRA")
    parser.add_argument("--keep-system", action="store_true",
                        help="keep system messages; by default each is joined to the next user message, because the "
                             "chat templates of Mistral-7B-Instruct v0.1 and v0.2 reject the system role")
    parser.add_argument("--check", action="store_true", help="validate the data and build the config, then stop; loads no model")
    parser.add_argument("--require-trl", action="store_true", help="with --check, fail when trl is not installed")
    parser.add_argument("--smoke", action="store_true",
                        help="run 2 IPO steps on the CPU with a tiny random model and a word-level tokenizer built from "
                             "the data, to test the whole training path without a GPU or a download")
    return parser.parse_args(argv)


def load_pairs(path):
    """Return the pairs of a TRL JSON-lines file or of a ShareGPT array as conversational TRL records."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if text.lstrip().startswith("["):
        return [sharegpt_to_trl(entry, index) for index, entry in enumerate(json.loads(text))]

    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"line {number}: not valid JSON ({error}); the file must be JSON lines") from error
        validate_record(record, f"line {number}")
        pairs.append(record)
    return pairs


def sharegpt_to_trl(entry, index):
    """Convert one {label, chosen: {conversations}, rejected: {conversations}} entry."""
    where = f"entry {index}"
    try:
        chosen = entry["chosen"]["conversations"]
        rejected = entry["rejected"]["conversations"]
    except (KeyError, TypeError) as error:
        raise DataError(f"{where}: expected chosen.conversations and rejected.conversations") from error
    if not chosen or not rejected or chosen[0] != rejected[0] or chosen[0].get("from") != "human":
        raise DataError(f"{where}: chosen and rejected must start with the same human turn, the prompt")

    def messages(turns):
        converted = []
        for turn in turns:
            role = SHAREGPT_ROLES.get(turn.get("from"))
            if role is None:
                raise DataError(f"{where}: unknown turn source {turn.get('from')!r}; use human or gpt")
            converted.append({"role": role, "content": turn.get("value", "")})
        return converted

    record = {"prompt": messages(chosen[:1]), "chosen": messages(chosen[1:]), "rejected": messages(rejected[1:])}
    validate_record(record, where)
    return record


def validate_record(record, where):
    """Check one record against DPOTrainer's explicit-prompt preference format, conversational or plain."""
    if not isinstance(record, dict):
        raise DataError(f"{where}: expected an object with prompt, chosen and rejected")
    missing = [key for key in ("prompt", "chosen", "rejected") if key not in record]
    if missing:
        raise DataError(f"{where}: missing {', '.join(missing)}")

    if all(isinstance(record[key], str) for key in ("prompt", "chosen", "rejected")):
        if not record["chosen"] or not record["rejected"]:
            raise DataError(f"{where}: chosen and rejected must not be empty")
    else:
        for key in ("prompt", "chosen", "rejected"):
            messages = record[key]
            if not isinstance(messages, list) or not messages:
                raise DataError(f"{where}: {key} must be a non-empty list of {{role, content}} messages or all three must be strings")
            for position, message in enumerate(messages):
                if not isinstance(message, dict) or message.get("role") not in ROLES or not isinstance(message.get("content"), str):
                    raise DataError(f"{where}: {key}[{position}] must be {{role: system|user|assistant, content: text}}")
        for key in ("chosen", "rejected"):
            if record[key][-1]["role"] != "assistant":
                raise DataError(f"{where}: {key} must end with an assistant message")
        if record["prompt"][-1]["role"] != "user":
            raise DataError(f"{where}: prompt must end with a user message")
    if record["chosen"] == record["rejected"]:
        raise DataError(f"{where}: chosen and rejected are identical, so the pair teaches nothing")


def join_system_messages(record):
    """Return the record with each system message joined to the user message after it."""
    def join(messages):
        joined = []
        pending = None
        for message in messages:
            if message["role"] == "system":
                pending = message["content"] if pending is None else pending + "\n\n" + message["content"]
                continue
            if pending is not None and message["role"] == "user":
                message = {"role": "user", "content": pending + "\n\n" + message["content"]}
                pending = None
            joined.append(message)
        return joined

    if isinstance(record["prompt"], str):
        return record
    return {key: join(record[key]) for key in ("prompt", "chosen", "rejected")}


def build_config(args):
    """Build the DPOConfig for IPO. Importing trl loads no model."""
    import dataclasses

    import torch
    from trl import DPOConfig

    # DPOConfig rejects bf16 without a GPU that supports it, so a CPU-only --check builds an fp32 CPU config.
    has_gpu = torch.cuda.is_available()
    precision = {"bf16": has_gpu and torch.cuda.is_bf16_supported()}
    if not has_gpu:
        precision["use_cpu"] = True

    # transformers 5 dropped warmup_ratio; its warmup_steps reads a float below 1 as a ratio of all steps.
    fields = {field.name for field in dataclasses.fields(DPOConfig)}
    warmup = {"warmup_ratio": args.warmup_ratio} if "warmup_ratio" in fields else {"warmup_steps": args.warmup_ratio}
    return DPOConfig(
        output_dir=args.output_dir,
        loss_type="ipo",
        beta=args.beta,
        learning_rate=args.learning_rate,
        num_train_epochs=args.epochs,
        gradient_accumulation_steps=args.gradient_accumulation_steps,
        per_device_train_batch_size=args.batch_size,
        max_length=args.max_length,
        logging_steps=10,
        save_strategy="epoch",
        report_to="none",
        **warmup,
        **precision,
    )


def describe(config):
    loss_type = config.loss_type[0] if isinstance(config.loss_type, (list, tuple)) else config.loss_type
    warmup_ratio = getattr(config, "warmup_ratio", None)
    if warmup_ratio is None:
        warmup_ratio = config.warmup_steps
    return (f"loss_type={loss_type} beta={config.beta} learning_rate={config.learning_rate} "
            f"num_train_epochs={config.num_train_epochs:g} warmup_ratio={warmup_ratio} "
            f"gradient_accumulation_steps={config.gradient_accumulation_steps} "
            f"per_device_train_batch_size={config.per_device_train_batch_size} bf16={config.bf16}")


# A ChatML-style template: it renders a prompt alone as a prefix of prompt plus answer, as DPOTrainer expects.
SMOKE_CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|> {{ message['content'] }} <|end|> {% endfor %}"
    "{% if add_generation_prompt %}<|assistant|> {% endif %}"
)


def smoke_model(pairs):
    """Build a tiny random Llama model and a word-level tokenizer from the pairs' words; downloads nothing."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    def texts():
        for pair in pairs:
            for key in ("prompt", "chosen", "rejected"):
                value = pair[key]
                yield value if isinstance(value, str) else " ".join(message["content"] for message in value)

    special = ["<unk>", "<pad>", "<s>", "</s>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]
    tokenizer = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator(texts(), trainers.WordLevelTrainer(vocab_size=2000, special_tokens=special))
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="<unk>", pad_token="<pad>", bos_token="<s>",
                                   eos_token="</s>")
    fast.chat_template = SMOKE_CHAT_TEMPLATE
    config = LlamaConfig(vocab_size=len(fast), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=4096,
                         pad_token_id=fast.pad_token_id, bos_token_id=fast.bos_token_id, eos_token_id=fast.eos_token_id)
    return LlamaForCausalLM(config), fast


def smoke(args, pairs):
    """Run 2 IPO steps on the CPU and print the losses."""
    import copy
    import dataclasses

    from datasets import Dataset
    from trl import DPOTrainer

    model, tokenizer = smoke_model(pairs)
    args.epochs = 1
    config = build_config(args)
    config = dataclasses.replace(config, max_steps=2, gradient_accumulation_steps=1, logging_steps=1, save_strategy="no",
                                 use_cpu=True, bf16=False)
    # The random model has no hub name, so DPOTrainer cannot load its reference model by name: pass a copy.
    trainer = DPOTrainer(model=model, ref_model=copy.deepcopy(model), args=config, train_dataset=Dataset.from_list(pairs[:4]),
                         processing_class=tokenizer)
    result = trainer.train()
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    print(f"smoke: {result.global_step} IPO steps on the CPU, losses {', '.join(f'{loss:.4f}' for loss in losses)}")


def train(args, pairs, config):
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import DPOTrainer

    tokenizer = AutoTokenizer.from_pretrained(args.model)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype="auto")

    peft_config = None
    if args.lora:
        from peft import LoraConfig

        peft_config = LoraConfig(r=args.lora_rank, lora_alpha=args.lora_alpha, lora_dropout=0.05, task_type="CAUSAL_LM",
                                 target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])

    trainer = DPOTrainer(model=model, args=config, train_dataset=Dataset.from_list(pairs), processing_class=tokenizer,
                         peft_config=peft_config)
    trainer.train()
    trainer.save_model(args.output_dir)
    tokenizer.save_pretrained(args.output_dir)
    print(f"saved to {args.output_dir}", file=sys.stderr)

    if args.lora and args.merged_dir:
        merged = trainer.model.merge_and_unload()
        merged.save_pretrained(args.merged_dir)
        tokenizer.save_pretrained(args.merged_dir)
        print(f"saved the merged model to {args.merged_dir}", file=sys.stderr)


def main(argv=None):
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    try:
        pairs = load_pairs(args.data)
    except (OSError, json.JSONDecodeError, DataError) as error:
        print(f"train_ipo: invalid pairs file {args.data}: {error}", file=sys.stderr)
        return 2
    if not pairs:
        print(f"train_ipo: {args.data} has no pairs; run `logcot prefs build` first", file=sys.stderr)
        return 2
    if args.merged_dir and not args.lora:
        print("train_ipo: --merged-dir needs --lora, because without it the output directory already contains the full weights", file=sys.stderr)
        return 2
    if not args.keep_system:
        pairs = [join_system_messages(pair) for pair in pairs]
    kind = "plain" if isinstance(pairs[0]["prompt"], str) else "conversational"
    print(f"data: {len(pairs)} pairs ({kind}) from {args.data}")

    try:
        config = build_config(args)
    except ImportError as error:
        if args.check and not args.require_trl:
            print(f"config: not built, because trl is not installed ({error}); run `make training-tools`")
            return 0
        print(f"train_ipo: trl is not installed ({error}); run `make training-tools`", file=sys.stderr)
        return 2
    print(f"config: {describe(config)}")
    if args.check:
        return 0
    if args.smoke:
        smoke(args, pairs)
        return 0
    if getattr(config, "use_cpu", False):
        print("train_ipo: no CUDA GPU found; IPO training of a 7B model needs one (see docs/training.md)", file=sys.stderr)
        return 2
    train(args, pairs, config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
