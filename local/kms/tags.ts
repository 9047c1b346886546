// Checks the Tags member of CreateKey with KMS's rules for tag keys and values.
import { KmsError, validationError } from './errors.js';
import type { Tag } from './key-store.js';

const MAX_TAGS = 50;

export function parseTags(list: unknown[] | undefined): Tag[] {
  if (list === undefined) return [];
  if (list.length > MAX_TAGS) throw new KmsError('TagException', `A key can have at most ${MAX_TAGS} tags`);
  const tags = list.map((item, index) => {
    const tag = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof tag.TagKey !== 'string' || typeof tag.TagValue !== 'string') {
      throw new KmsError('SerializationException', `Tags[${index}] must have string TagKey and TagValue`);
    }
    if (tag.TagKey.length < 1 || tag.TagKey.length > 128) {
      throw validationError(`tags.${index + 1}.member.tagKey`, 'Member must have length between 1 and 128');
    }
    if (tag.TagValue.length > 256) {
      throw validationError(`tags.${index + 1}.member.tagValue`, 'Member must have length less than or equal to 256');
    }
    // The aws: prefix belongs to AWS-managed tags; KMS refuses it in customer tags.
    if (tag.TagKey.toLowerCase().startsWith('aws:')) {
      throw new KmsError('TagException', `Tags beginning with aws: are reserved: ${tag.TagKey}`);
    }
    return { TagKey: tag.TagKey, TagValue: tag.TagValue };
  });
  const keys = new Set(tags.map((tag) => tag.TagKey));
  if (keys.size !== tags.length) throw new KmsError('TagException', 'Duplicate tag keys');
  return tags;
}
