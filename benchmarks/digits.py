"""The digits classification proxy shared by the benchmarks: scikit-learn's digits (1,797 real
8x8 images, offline), MLP teachers and students, SGD training with an optional extra loss."""
import torch
import torch.nn as nn
import torch.nn.functional as F


def mlp(hidden):
    return nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                         nn.ReLU(), nn.Linear(hidden, 10))


def fit(model, x, y, epochs, seed, extra_loss=None, teacher=None):
    """SGD, batch 64; ``extra_loss(student_logits, teacher_logits, labels)`` is added to CE."""
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs)
    for _ in range(epochs):
        for batch in torch.randperm(len(x), generator=generator).split(64):
            logits = model(x[batch])
            loss = F.cross_entropy(logits, y[batch])
            if extra_loss is not None:
                with torch.no_grad():
                    teacher_logits = teacher(x[batch])
                loss = extra_loss(logits, teacher_logits, loss)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        scheduler.step()
    return model.eval()


def top1(model, x, y):
    with torch.no_grad():
        return 100 * (model(x).argmax(1) == y).float().mean().item()


def load_digits_split():
    """scikit-learn's digits, pixels in [0, 1], halved (stratified) into train and test."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    images, labels = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = (torch.as_tensor(a) for a in train_test_split(
        images / 16.0, labels, test_size=0.5, random_state=0, stratify=labels))
    return x_train.float(), y_train, x_test.float(), y_test
